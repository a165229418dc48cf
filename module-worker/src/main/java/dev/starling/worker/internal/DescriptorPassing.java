package dev.starling.worker.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;

/**
 * Hands listening sockets from the manager to a worker it starts: the worker's standard input
 * is one end of a new UNIX socket pair, and the manager sends every socket through the other
 * end in one {@code SCM_RIGHTS} message, which the worker reads first thing.
 *
 * <p>Why this way: {@code ProcessBuilder} closes every descriptor above 2 in the child, and
 * {@link System#inheritedChannel()} covers fd 0 only, so fd 0 can carry one socket but not
 * several. {@code SCM_RIGHTS} is the kernel's own way to give a process copies of descriptors;
 * the socket pair is private to the two processes (nothing in the file system or the abstract
 * namespace that a third process could connect to), and the message waits in the pair until
 * the worker's JVM has booted. Every descriptor the worker receives refers to the manager's
 * socket, so connections the kernel queued outlive any one worker, as with the single
 * inherited socket.
 */
public final class DescriptorPassing {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int O_RDWR = 2;
    /** The kernel's limit of descriptors in one message (SCM_MAX_FD). */
    public static final int MAX_DESCRIPTORS = 253;

    private DescriptorPassing() {
    }

    private static final class DevNull {
        static final int FD = openDevNull();

        private static int openDevNull() {
            int fd = Native.posix().open("/dev/null", O_RDWR, 0);
            if (fd < 0) {
                throw new IllegalStateException("cannot open /dev/null: " + Native.strerror(Native.posix().errno()));
            }
            return fd;
        }
    }

    /**
     * Starts {@code builder} (which must inherit standard input) with a socket pair on its fd 0,
     * and sends copies of {@code descriptors} through it. Call from one thread at a time: for
     * the moment of the start, this process's own fd 0 is the child's end of the pair.
     */
    public static java.lang.Process start(ProcessBuilder builder, int[] descriptors) throws IOException {
        POSIX posix = Native.posix();
        int[] pair = new int[2];
        if (posix.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
            throw new IOException("socketpair failed: " + Native.strerror(posix.errno()));
        }
        try {
            java.lang.Process process;
            try {
                Native.dup2(pair[1], 0); // the copy on fd 0 is not close-on-exec: the child gets it
                process = builder.start();
            } finally {
                Native.dup2(DevNull.FD, 0);
                posix.close(pair[1]);
            }
            send(pair[0], descriptors);
            return process;
        } finally {
            posix.close(pair[0]);
        }
    }

    private static void send(int socket, int[] descriptors) throws IOException {
        POSIX posix = Native.posix();
        MsgHdr message = posix.allocateMsgHdr();
        ByteBuffer count = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, descriptors.length);
        message.setIov(new ByteBuffer[] {count});
        CmsgHdr control = message.allocateControl(4 * descriptors.length);
        control.setLevel(SOL_SOCKET);
        control.setType(SCM_RIGHTS);
        ByteBuffer fds = ByteBuffer.allocateDirect(4 * descriptors.length).order(ByteOrder.nativeOrder());
        for (int fd : descriptors) {
            fds.putInt(fd);
        }
        control.setData(fds.flip());
        if (posix.sendmsg(socket, message, 0) < 0) {
            throw new IOException("sending " + descriptors.length + " listening socket(s) to the worker failed: "
                    + Native.strerror(posix.errno()));
        }
    }

    /**
     * The worker's side: reads the descriptors its manager sent on fd 0, then points fd 0 at
     * /dev/null. Blocks until the message is there; the manager sends it right after the start.
     *
     * @return the descriptors, in the order the manager passed them, close-on-exec
     * @throws IOException when fd 0 ends (the manager died first) or carries a different count
     */
    public static int[] receive(int expected) throws IOException {
        if (expected < 1 || expected > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("expected descriptors must be between 1 and " + MAX_DESCRIPTORS + ", was " + expected);
        }
        POSIX posix = Native.posix();
        MsgHdr message = posix.allocateMsgHdr();
        ByteBuffer count = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        message.setIov(new ByteBuffer[] {count});
        message.allocateControl(4 * expected);
        int n = posix.recvmsg(0, message, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            throw new IOException("receiving listening sockets on standard input failed: " + Native.strerror(posix.errno())
                    + "; start workers through the manager");
        }
        if (n == 0) {
            throw new IOException("standard input ended before the manager sent the listening sockets; start workers through the manager");
        }
        int[] received = new int[0];
        for (CmsgHdr control : message.getControls()) {
            if (control.getLevel() == SOL_SOCKET && control.getType() == SCM_RIGHTS) {
                ByteBuffer data = control.getData().order(ByteOrder.nativeOrder());
                int[] more = new int[data.remaining() / 4];
                for (int i = 0; i < more.length; i++) {
                    more[i] = data.getInt(data.position() + 4 * i);
                }
                received = concat(received, more);
            }
        }
        Native.dup2(DevNull.FD, 0);
        if (received.length != expected) {
            for (int fd : received) {
                posix.close(fd);
            }
            throw new IOException("the manager sent " + received.length + " listening socket(s), expected " + expected);
        }
        return received;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
