package dev.starling.worker.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p><b>Serving on the poller.</b> A thread that waits with a {@link Connection.EventLoopReader}
 * ({@link #read(ByteBuffer, Connection.EventLoopReader)}) lends its wait to the poller: when
 * bytes arrive, the poller reads them and runs the reader on its own thread, and the waiting
 * thread is woken only when the reader leaves it something to do. {@link #handoff} says who may
 * touch the waiting call's buffer and the reader's state: the thread ({@code IDLE}), nobody yet
 * ({@code ARMED}), the poller ({@code RUNNING}), or the thread again, told to return
 * ({@code WAKE}). Writes made on the poller never park: what the socket does not take goes to
 * {@link #backlog}, which the thread sends before anything else, and the thread is woken to do so.
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

    private static final int IDLE = 0;
    private static final int ARMED = 1;
    private static final int RUNNING = 2;
    private static final int WAKE = 3;
    private final AtomicInteger handoff = new AtomicInteger(IDLE);
    // Set by the waiting thread before ARMED, read by the poller under RUNNING.
    private ByteBuffer inlineDst;
    private Connection.EventLoopReader inlineReader;
    // Set by the poller before WAKE, read by the thread after it.
    private int inlineResult;
    private IOException inlineFailure;
    /** When a write last sent a byte (System.nanoTime), 0 before the first: see {@link WriteProgress}. */
    private volatile long lastSentNanos;
    /** What writes on the poller could not send yet; only the thread (outside RUNNING) drains it. */
    private ByteBuffer backlog;

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
    public boolean ready(int events) {
        boolean woke = false;
        if ((events & WRITE_EDGES) != 0) {
            woke = out.fire();
        }
        if ((events & READ_EDGES) != 0) {
            if ((events & (EdgePoller.EPOLLRDHUP | EdgePoller.EPOLLHUP | EdgePoller.EPOLLERR)) != 0) {
                ended = true;
            }
            if (handoff.get() == ARMED && handoff.compareAndSet(ARMED, RUNNING)) {
                woke |= serveInline();
            } else {
                woke |= in.fire();
            }
        }
        return woke;
    }

    /** Like a blocking {@link SocketChannel#read}: at least one byte, or -1. */
    int read(ByteBuffer dst) throws IOException {
        flushBacklog();
        int wanted = dst.remaining();
        if (wanted == 0) {
            return 0;
        }
        while (true) {
            if (!in.ready) {
                in.await();
            }
            int n = tryRead(dst, wanted);
            if (n != 0) {
                return n;
            }
        }
    }

    /** One read, clearing the flag before it and setting it again when the socket may hold more. */
    private int tryRead(ByteBuffer dst, int wanted) throws IOException {
        in.ready = false;
        int n = channel.read(dst);
        if (n != 0 && (n < 0 || n == wanted || ended)) {
            in.ready = true; // the end stays readable; a full buffer may have left bytes behind
        }
        return n;
    }

    /**
     * {@link Connection#read(ByteBuffer, Connection.EventLoopReader)}: reads now if the socket may
     * hold bytes; otherwise lends the wait to the poller, which serves arrivals with
     * {@code reader} until it leaves something to this thread.
     */
    int read(ByteBuffer dst, Connection.EventLoopReader reader) throws IOException {
        if (poller.onPollerThread()) {
            throw new IllegalStateException("a connection cannot wait for input on the poller's own thread");
        }
        boolean tryNow = false;
        while (true) {
            flushBacklog();
            int wanted = dst.remaining();
            if (wanted == 0) {
                return 0;
            }
            if (tryNow || in.ready) {
                // After taking the wait back, always try: the read reports a close or the end.
                int n = tryRead(dst, wanted);
                if (n != 0) {
                    return n;
                }
            }
            inlineDst = dst;
            inlineReader = reader;
            in.waiter = Thread.currentThread();
            handoff.set(ARMED);
            int result;
            try {
                result = awaitHandoff();
            } finally {
                in.waiter = null;
                inlineDst = null;
                inlineReader = null;
            }
            if (result != 0) {
                // Whatever this thread does next (answer, close, shut output), what the reader
                // wrote must reach the peer first.
                flushBacklog();
                return result;
            }
            tryNow = true;
        }
    }

    /**
     * Parks until the poller says to return (its result, or its reader's failure thrown), or
     * until the socket may be read here (0), taking the wait back from the poller then.
     */
    private int awaitHandoff() throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                int h = handoff.get();
                if (h == WAKE) {
                    handoff.set(IDLE);
                    IOException failure = inlineFailure;
                    inlineFailure = null;
                    if (failure != null) {
                        throw failure;
                    }
                    return inlineResult;
                }
                if (h == ARMED && (in.ready || interrupted || !channel.isOpen())) {
                    if (handoff.compareAndSet(ARMED, IDLE)) {
                        if (interrupted) {
                            throw new ClosedByInterruptException();
                        }
                        return 0; // read here: the bytes, the end, or the close's exception
                    }
                    continue; // the poller just took it: wait for its word
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    // As the JDK does for a thread interrupted in blocking I/O, once the poller let go.
                    interrupted = true;
                    channel.close();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * On the poller, holding {@code RUNNING}: reads what arrived and gives it to the waiting
     * call's reader. Returns whether the waiting thread was woken.
     */
    private boolean serveInline() {
        int result = 0;
        IOException failure = null;
        boolean wake;
        try {
            ByteBuffer dst = inlineDst;
            int n = tryRead(dst, dst.remaining());
            if (n == 0) {
                wake = false;
            } else if (n < 0) {
                result = -1;
                wake = true;
            } else if (!inlineReader.consume(n)) {
                result = n;
                wake = true;
            } else {
                // All used. A full read or the end (the flag is set again) goes back to the thread,
                // so one busy connection cannot hold the poller; so does a backlog to send.
                wake = in.ready || backlog != null;
            }
        } catch (IOException e) {
            failure = e;
            wake = true;
        } catch (RuntimeException | Error e) {
            failure = new IOException("serving on the event loop failed", e);
            wake = true;
        }
        if (!wake) {
            handoff.set(ARMED);
            // A close or shutdown while we ran: its wakeup found us RUNNING, so pass it on.
            if (in.ready || !channel.isOpen()) {
                Thread t = in.waiter;
                if (t != null) {
                    LockSupport.unpark(t);
                    return true;
                }
            }
            return false;
        }
        inlineResult = result;
        inlineFailure = failure;
        Thread t = in.waiter;
        handoff.set(WAKE);
        if (t != null) {
            LockSupport.unpark(t);
        }
        return true;
    }

    /**
     * Writes all of {@code srcs}, parking while the socket's send buffer is full; on the poller's
     * own thread, never parks: what the socket does not take is kept in the {@link #backlog}.
     */
    void write(ByteBuffer[] srcs, long remaining) throws IOException {
        if (poller.onPollerThread()) {
            writeWithoutWaiting(srcs, remaining);
            return;
        }
        flushBacklog();
        writeAll(srcs, remaining);
    }

    private void writeAll(ByteBuffer[] srcs, long remaining) throws IOException {
        while (remaining > 0) {
            out.ready = false;
            long n = channel.write(srcs);
            if (n > 0) {
                remaining -= n;
                lastSentNanos = System.nanoTime();
            }
            if (remaining > 0 && !out.ready) {
                out.await();
            }
        }
    }

    /** See {@link WriteProgress#lastSentNanos()}; writes on the poller never wait, so they are not counted. */
    long lastSentNanos() {
        return lastSentNanos;
    }

    private void writeWithoutWaiting(ByteBuffer[] srcs, long remaining) throws IOException {
        if (backlog == null) {
            ByteBuffer direct = poller.loopBuffer();
            if (remaining <= direct.capacity()) {
                // One copy into the loop's own direct buffer and one write(2): the JDK would copy
                // each heap buffer into a temporary direct one (looked up per call) and writev.
                direct.clear();
                for (ByteBuffer b : srcs) {
                    direct.put(b);
                }
                direct.flip();
                while (direct.hasRemaining()) {
                    out.ready = false;
                    if (channel.write(direct) == 0 && !out.ready) {
                        break;
                    }
                }
                if (direct.hasRemaining()) {
                    keep(new ByteBuffer[] {direct}, direct.remaining());
                }
                return;
            }
            while (remaining > 0) {
                out.ready = false;
                long n = channel.write(srcs);
                remaining -= n;
                if (n == 0 && !out.ready) {
                    break;
                }
            }
            if (remaining == 0) {
                return;
            }
        }
        keep(srcs, remaining);
    }

    /** Appends what is left of {@code srcs} ({@code remaining} bytes) to the backlog. */
    private void keep(ByteBuffer[] srcs, long remaining) throws IOException {
        long kept = backlog == null ? 0 : backlog.position();
        if (kept + remaining > Integer.MAX_VALUE - 8) {
            throw new IOException("more than 2 GiB written on the event loop without room to send it");
        }
        if (backlog == null || backlog.remaining() < remaining) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.max(kept + remaining, Math.min(2 * kept, Integer.MAX_VALUE - 8)));
            if (backlog != null) {
                bigger.put(backlog.flip());
            }
            backlog = bigger;
        }
        for (ByteBuffer b : srcs) {
            backlog.put(b);
        }
    }

    /** Sends what writes on the poller left, parking as a write does; on the connection's thread. */
    private void flushBacklog() throws IOException {
        ByteBuffer b = backlog;
        if (b != null) {
            backlog = null;
            b.flip();
            writeAll(new ByteBuffer[] {b}, b.remaining());
        }
    }

    /** {@code FileChannel.transferTo} (sendfile) of up to {@code count} bytes, parking while the socket is full. */
    long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (poller.onPollerThread()) {
            throw new IOException("sendfile would wait on the event loop; a file body is sent by the connection's thread");
        }
        flushBacklog();
        long sent = 0;
        while (sent < count) {
            out.ready = false;
            long n = file.transferTo(position + sent, count - sent, channel);
            if (n > 0) {
                sent += n;
                lastSentNanos = System.nanoTime();
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
        // Not through ready(): this may run on any thread, and must not serve bytes there.
        ended = true;
        in.fire();
        out.fire();
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

        /** Sets the flag and wakes the waiter; returns whether there was one. */
        boolean fire() {
            ready = true;
            Thread t = waiter;
            if (t != null) {
                LockSupport.unpark(t);
                return true;
            }
            return false;
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
