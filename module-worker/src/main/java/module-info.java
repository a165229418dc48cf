/**
 * Transports and process management: the {@link dev.starling.worker.Worker} SPI with its
 * built-in {@code tcp} and {@code tls} providers, the {@link dev.starling.worker.WorkerGroup} that accepts and
 * serves connections inside a worker process, and the {@link dev.starling.worker.Manager} that
 * starts worker processes and keeps them alive.
 *
 * @uses dev.starling.worker.Worker
 * @provides dev.starling.worker.Worker
 */
module dev.starling.worker {
    requires transitive dev.starling.process; // Connection and StreamService appear in our signatures
    requires jdk.unsupported; // sun.misc.Signal: the only JDK way to catch HUP, INT, TERM, TTIN, TTOU
    requires org.jnrproject.posix; // dup2 and kill with any signal, which the JDK lacks
    // jnr-ffi generates its native stubs with ASM, but as an automatic module it cannot say so:
    // without this, the first native call fails with NoClassDefFoundError: org/objectweb/asm/ClassVisitor.
    requires org.objectweb.asm;

    exports dev.starling.worker;

    uses dev.starling.worker.Worker;

    provides dev.starling.worker.Worker with dev.starling.worker.internal.TcpWorker, dev.starling.worker.internal.TlsWorker;
}
