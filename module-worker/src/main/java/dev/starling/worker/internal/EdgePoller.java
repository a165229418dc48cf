package dev.starling.worker.internal;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.worker.ffi.EpollLibrary;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.LibraryLoader;

/**
 * One edge-triggered epoll set for every accepted stream connection of this process, so that a
 * connection waiting for its next request costs no system call beyond the read that gets it.
 *
 * <p>Why not the JDK's own wait: a blocking read on a virtual thread first reads (and gets
 * {@code EAGAIN}), then re-arms the descriptor in the JDK's one-shot epoll set with
 * {@code epoll_ctl}, then parks. Per keep-alive request that is two system calls Netty's
 * edge-triggered loop does not make, and strace showed them as a third of our calls. Here each
 * connection is added once ({@link #register}); its socket is non-blocking; a read that came back
 * short knows the socket is empty, so the next one parks at once, and the kernel's edge wakes it.
 *
 * <p>Threads: a virtual thread polls with a zero timeout, hands out the events, and yields so
 * the woken connections run before it polls again, all on the carrier threads, with no thread
 * switch. When a poll finds nothing, it asks a platform thread, blocked in {@code epoll_wait} on
 * a second set that holds the first, to wake it when anything arrives (one-shot), and parks.
 * This is the JDK's own poller design (since JDK 22), with the edge-triggered set as the
 * difference. Measured against a platform thread that waits in {@code epoll_wait} and wakes the
 * connections itself (interleaved rounds, one worker on one core, {@code wrk -t1 -c64}): 91–136k
 * requests/s here against 78–102k, since every wakeup then crossed threads.
 *
 * <p>Available on Linux when the JVM lets this module see the channel's descriptor
 * ({@code --add-exports java.base/sun.nio.ch=dev.starling.worker}, which the server gives its
 * workers) and {@code -Dstarling.edgePoller=false} is not set; otherwise connections keep the
 * JDK's blocking path, which is correct, only slower.
 */
final class EdgePoller {

    private static final System.Logger LOG = System.getLogger(EdgePoller.class.getName());

    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLL_CLOEXEC = 0x80000;

    /** {@code struct epoll_event} is packed on x86-64 (4 + 8 bytes), padded to 16 elsewhere. */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final int MAX_EVENTS = 256;

    /** Started on first use, so that {@link EventLoopThread} can be told which thread to use before. */
    private static final class Instance {
        static final EdgePoller POLLER = start();
    }

    private final EpollLibrary epoll;
    private final int epfd;
    private final int masterEpfd;
    private final MethodHandle fdOf;
    /** The waiter of each registered descriptor, indexed by descriptor; grows under {@code this}. */
    private volatile AtomicReferenceArray<EdgeWaiter> waiters = new AtomicReferenceArray<>(1024);
    private volatile Thread poller;
    /** A direct buffer that code on the poller's thread writes through ({@link #loopBuffer}). */
    private final ByteBuffer loopBuffer = ByteBuffer.allocateDirect(64 * 1024);

    private EdgePoller(EpollLibrary epoll, int epfd, int masterEpfd, MethodHandle fdOf) {
        this.epoll = epoll;
        this.epfd = epfd;
        this.masterEpfd = masterEpfd;
        this.fdOf = fdOf;
    }

    /**
     * The poller thread's scratch buffer, direct so that a write from it needs no copy by the JDK;
     * only for code running on the poller's thread, and only until it returns.
     */
    ByteBuffer loopBuffer() {
        return loopBuffer;
    }

    /** Whether the caller runs on this poller's thread (where connections are served inline). */
    boolean onPollerThread() {
        return Thread.currentThread() == poller;
    }

    /** The process's poller, or null when connections must use the JDK's blocking path. */
    static EdgePoller get() {
        return Instance.POLLER;
    }

    private static EdgePoller start() {
        if (!"Linux".equals(System.getProperty("os.name")) || "false".equals(System.getProperty("starling.edgePoller"))) {
            return null;
        }
        MethodHandle fdOf;
        try {
            Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            fdOf = MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, SocketChannel.class));
        } catch (ReflectiveOperationException | RuntimeException notExported) {
            LOG.log(DEBUG, () -> "edge-triggered polling off (the JDK keeps channel descriptors to itself): " + notExported);
            return null;
        }
        try {
            EpollLibrary epoll = LibraryLoader.create(EpollLibrary.class).load("c");
            int epfd = epoll.epoll_create1(EPOLL_CLOEXEC);
            int master = epoll.epoll_create1(EPOLL_CLOEXEC);
            if (epfd < 0 || master < 0 || epoll.epoll_ctl(master, EPOLL_CTL_ADD, epfd, event(EPOLLIN | EPOLLONESHOT, 0)) < 0) {
                LOG.log(WARNING, "edge-triggered polling off: epoll_create1 or epoll_ctl failed");
                return null;
            }
            EdgePoller p = new EdgePoller(epoll, epfd, master, fdOf);
            if (EventLoopThread.platform()) {
                p.poller = Thread.ofPlatform().daemon().name("edge poller").unstarted(p::blockingPollLoop);
            } else {
                p.poller = Thread.ofVirtual().name("edge poller").unstarted(p::pollLoop);
                Thread.ofPlatform().daemon().name("edge poller wakeup").start(p::masterLoop);
            }
            p.poller.start();
            return p;
        } catch (RuntimeException | LinkageError noNative) {
            LOG.log(WARNING, () -> "edge-triggered polling off: " + noNative);
            return null;
        }
    }

    /**
     * Adds {@code channel}, which must be non-blocking, to the set for its whole life: from now on
     * every arrival of bytes, end of input, room to write or error calls {@code waiter}.
     *
     * @return the channel's descriptor, for {@link #unregister}
     */
    int register(SocketChannel channel, EdgeWaiter waiter) throws IOException {
        int fd;
        try {
            fd = (int) fdOf.invokeExact(channel);
        } catch (Throwable t) {
            throw new IOException("cannot read the channel's descriptor", t);
        }
        put(fd, waiter);
        if (epoll.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, event(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, fd)) < 0) {
            waiters.compareAndSet(fd, waiter, null);
            throw new IOException("epoll_ctl(ADD, " + fd + ") failed");
        }
        return fd;
    }

    /**
     * Forgets {@code waiter}. Call it before the descriptor is closed: closing removes it from the
     * set, and the number may be reused at once by the next connection.
     */
    void unregister(int fd, EdgeWaiter waiter) {
        synchronized (this) { // not into a table a growth is copying
            waiters.compareAndSet(fd, waiter, null);
        }
        epoll.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, event(0, 0)); // fails harmlessly if already closed
    }

    /**
     * Sets the waiter of {@code fd}, growing the table when needed. Under the lock, so that a
     * registration from another acceptor cannot land in a table that a growth has just copied.
     * Once per connection, so the lock costs nothing per request; the poller reads without it.
     */
    private synchronized void put(int fd, EdgeWaiter waiter) {
        AtomicReferenceArray<EdgeWaiter> table = waiters;
        if (fd >= table.length()) {
            AtomicReferenceArray<EdgeWaiter> bigger = new AtomicReferenceArray<>(Math.max(fd + 1, table.length() * 2));
            for (int i = 0; i < table.length(); i++) {
                bigger.set(i, table.get(i));
            }
            waiters = bigger;
            table = bigger;
        }
        table.set(fd, waiter);
    }

    private void pollLoop() {
        ByteBuffer events = ByteBuffer.allocateDirect(MAX_EVENTS * EVENT_SIZE).order(ByteOrder.nativeOrder());
        int servedInline = 0;
        while (true) {
            int n = epoll.epoll_wait(epfd, events, MAX_EVENTS, 0);
            if (n > 0) {
                // Let the woken connections read before polling again; and when connections were
                // only served here, still let other virtual threads run now and then.
                if (dispatch(events, n) || ++servedInline == 32) {
                    servedInline = 0;
                    Thread.yield();
                }
            } else {
                // Nothing ready: have the wakeup thread watch the set (re-arming it reports
                // anything that arrived since the poll), and sleep until it does.
                epoll.epoll_ctl(masterEpfd, EPOLL_CTL_MOD, epfd, event(EPOLLIN | EPOLLONESHOT, 0));
                LockSupport.park(this);
            }
        }
    }

    /**
     * The loop of a platform poller ({@link EventLoopThread}): waits in {@code epoll_wait} itself
     * and hands out events, as Netty's event loop does. Connections it wakes run on carrier
     * threads; connections served on the loop cost no wakeup at all.
     */
    private void blockingPollLoop() {
        ByteBuffer events = ByteBuffer.allocateDirect(MAX_EVENTS * EVENT_SIZE).order(ByteOrder.nativeOrder());
        while (true) {
            int n = epoll.epoll_wait(epfd, events, MAX_EVENTS, -1);
            if (n > 0) {
                dispatch(events, n);
            }
        }
    }

    /** Hands out {@code n} events; returns whether any woke a thread. */
    private boolean dispatch(ByteBuffer events, int n) {
        boolean woke = false;
        AtomicReferenceArray<EdgeWaiter> table = waiters;
        for (int i = 0; i < n; i++) {
            int at = i * EVENT_SIZE;
            int fd = (int) events.getLong(at + DATA_OFFSET);
            EdgeWaiter w = fd < table.length() ? table.get(fd) : null;
            if (w != null) {
                woke |= w.ready(events.getInt(at));
            }
        }
        return woke;
    }

    private void masterLoop() {
        ByteBuffer events = ByteBuffer.allocateDirect(EVENT_SIZE).order(ByteOrder.nativeOrder());
        while (true) {
            if (epoll.epoll_wait(masterEpfd, events, 1, -1) > 0) {
                LockSupport.unpark(poller);
            }
        }
    }

    private static byte[] event(int events, int fd) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putInt(0, events).putLong(DATA_OFFSET, fd);
        return b.array();
    }

    /** What a registered connection is told: which of its conditions may have changed. */
    interface EdgeWaiter {
        /**
         * {@code events}: the {@code EPOLL*} bits reported. Called on the poller's thread; must not
         * block. Returns whether it woke a thread (so the poller lets it run before polling again).
         */
        boolean ready(int events);
    }
}
