/**
 * Transports and process management: the {@link dev.starling.worker.Worker} SPI with its
 * built-in {@code tcp}, {@code tls} and {@code unix} providers, the {@link dev.starling.worker.DatagramWorker}
 * SPI with {@code udp}, the {@link dev.starling.worker.supervisor.WorkerGroup} that accepts and
 * serves connections inside a worker process, and the {@link dev.starling.worker.supervisor.Manager} that
 * starts worker processes and keeps them alive.
 *
 * @uses dev.starling.worker.Worker
 * @uses dev.starling.worker.DatagramWorker
 * @provides dev.starling.worker.Worker
 * @provides dev.starling.worker.DatagramWorker
 */
module dev.starling.worker {
    requires transitive dev.starling.process; // Connection and StreamService appear in our signatures
    requires jdk.unsupported; // sun.misc.Signal: the only JDK way to catch HUP, INT, TERM, TTIN, TTOU
    requires org.jnrproject.posix; // dup2, kill with any signal, socketpair and SCM_RIGHTS, which the JDK lacks
    requires org.jnrproject.ffi; // socket, bind, listen with raw addresses: abstract UNIX names, IPV6_V6ONLY
    // jnr-ffi generates its native stubs with ASM, but as an automatic module it cannot say so:
    // without this, the first native call fails with NoClassDefFoundError: org/objectweb/asm/ClassVisitor.
    requires org.objectweb.asm;

    // The transport SPI, for anyone who writes a transport.
    exports dev.starling.worker;
    // The supervisor (manager, scoreboard, the worker's serving loop): the server and the CLI only.
    exports dev.starling.worker.supervisor to dev.starling.server, dev.starling.cli;
    // Not an API: jnr-ffi implements SocketLibrary in a module of its own, which needs the package exported.
    exports dev.starling.worker.ffi;

    uses dev.starling.worker.Worker;
    uses dev.starling.worker.DatagramWorker;

    provides dev.starling.worker.Worker with dev.starling.worker.internal.TcpWorker, dev.starling.worker.internal.TlsWorker,
            dev.starling.worker.internal.UnixWorker;
    provides dev.starling.worker.DatagramWorker with dev.starling.worker.internal.UdpWorker;
}
