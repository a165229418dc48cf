package dev.starling.worker.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking reads and writes on a non-blocking socket registered with the {@link EdgePoller}:
 * the calling (virtual) thread parks on this object's flags instead of in the JDK's poller.
 *
 * <p>The flags mean "a try may succeed". Each is cleared just before the system call it
 * guards, and set by every edge the kernel reports after that. A read that fills less than it
 * was offered emptied the socket, so the next read parks without trying, until an edge says
 * bytes arrived since; an edge that raced the read only costs one read that finds nothing.
 * Once the peer's end or an error was reported, reads no longer park: see {@link #ended}.
 * One thread reads and one writes at a time (the {@code Connection} contract); closing, or
 * shutting input, from any thread wakes both.
 */
final class EdgeChannel implements EdgePoller.EdgeWaiter {

    private static final int READ_EDGES = EdgePoller.EPOLLIN | EdgePoller.EPOLLRDHUP | EdgePoller.EPOLLHUP | EdgePoller.EPOLLERR;
    private static final int WRITE_EDGES = EdgePoller.EPOLLOUT | EdgePoller.EPOLLHUP | EdgePoller.EPOLLERR;

    private final SocketChannel channel;
    private final EdgePoller poller;
    private final int fd;
    private final Side in = new Side();
    private final Side out = new Side();
    /**
     * Set for good once the kernel reports the peer's end, a hang-up or an error. A short read
     * does not prove the socket empty then: the end (or error) is reported by the read after
     * the last bytes, and its edge may have come before them.
     */
    private volatile boolean ended;
    private final AtomicBoolean registered = new AtomicBoolean(true);

    private EdgeChannel(SocketChannel channel, EdgePoller poller) throws IOException {
        this.channel = channel;
        this.poller = poller;
        this.fd = poller.register(channel, this);
    }

    /**
     * {@code channel} on the process's poller, switched to non-blocking mode, or null when there
     * is no poller (the channel is left as it was).
     */
    static EdgeChannel of(SocketChannel channel) throws IOException {
        EdgePoller poller = EdgePoller.get();
        if (poller == null) {
            return null;
        }
        channel.configureBlocking(false);
        try {
            return new EdgeChannel(channel, poller);
        } catch (IOException notRegistered) {
            channel.configureBlocking(true); // serve it the JDK's way rather than not at all
            return null;
        }
    }

    @Override
    public void ready(int events) {
        if ((events & READ_EDGES) != 0) {
            if ((events & (EdgePoller.EPOLLRDHUP | EdgePoller.EPOLLHUP | EdgePoller.EPOLLERR)) != 0) {
                ended = true;
            }
            in.fire();
        }
        if ((events & WRITE_EDGES) != 0) {
            out.fire();
        }
    }

    /** Like a blocking {@link SocketChannel#read}: at least one byte, or -1. */
    int read(ByteBuffer dst) throws IOException {
        int wanted = dst.remaining();
        if (wanted == 0) {
            return 0;
        }
        while (true) {
            if (!in.ready) {
                in.await();
            }
            in.ready = false;
            int n = channel.read(dst);
            if (n != 0) {
                if (n < 0 || n == wanted || ended) {
                    in.ready = true; // the end stays readable; a full buffer may have left bytes behind
                }
                return n;
            }
        }
    }

    /** Writes all of {@code srcs}, parking while the socket's send buffer is full. */
    void write(ByteBuffer[] srcs, long remaining) throws IOException {
        while (remaining > 0) {
            out.ready = false;
            remaining -= channel.write(srcs);
            if (remaining > 0 && !out.ready) {
                out.await();
            }
        }
    }

    /** {@code FileChannel.transferTo} (sendfile) of up to {@code count} bytes, parking while the socket is full. */
    long transferFrom(FileChannel file, long position, long count) throws IOException {
        long sent = 0;
        while (sent < count) {
            out.ready = false;
            long n = file.transferTo(position + sent, count - sent, channel);
            if (n > 0) {
                sent += n;
            } else if (position + sent >= file.size()) {
                break;
            } else if (!out.ready) {
                out.await();
            }
        }
        return sent;
    }

    /**
     * Wakes the reader and writer after the input was shut or the channel closed, and marks the
     * input ended (both callers end it), so reads no longer park.
     */
    void wakeAll() {
        ready(READ_EDGES | WRITE_EDGES);
    }

    /**
     * Leaves the poller; call before closing the channel. Only the first call does anything, so
     * a later one cannot remove a new connection that was given the same descriptor number.
     */
    void unregister() {
        if (registered.compareAndSet(true, false)) {
            poller.unregister(fd, this);
        }
    }

    /**
     * One direction of the socket: whether a try may succeed, and the thread parked until it
     * may. The poller sets {@code ready} and then looks for a waiter; a waiter shows itself and
     * then looks at {@code ready}; both fields are volatile, so one of the two always sees the
     * other and no wakeup is lost.
     */
    private final class Side {
        volatile boolean ready = true;
        private volatile Thread waiter;

        void fire() {
            ready = true;
            Thread t = waiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        void await() throws IOException {
            waiter = Thread.currentThread();
            try {
                while (!ready) {
                    if (!channel.isOpen()) {
                        return; // the next call on the channel reports the close
                    }
                    LockSupport.park(EdgeChannel.this);
                    if (Thread.interrupted()) {
                        // As the JDK does for a thread interrupted in blocking I/O.
                        channel.close();
                        Thread.currentThread().interrupt();
                        throw new ClosedByInterruptException();
                    }
                }
            } finally {
                waiter = null;
            }
        }
    }
}
