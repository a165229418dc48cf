package dev.starling.worker.supervisor;

import dev.starling.process.Connection;
import dev.starling.process.ForwardingConnection;
import dev.starling.worker.internal.WriteProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transport's connection as seen by the protocol, with the drain protocol of
 * {@link Connection#idle()} and {@link Connection#busy()} and the request and send timeouts
 * implemented once for every transport.
 *
 * <p>A draining worker ends only connections that have been quiet for a grace period: a
 * client may have sent its next request at the very moment the connection went idle, and
 * cutting it then would lose that request. Clients that keep talking are answered with
 * {@code Connection: close} by the protocol instead (it asks {@link #draining()}).
 *
 * <p>Timeouts are measured by progress: an exchange times out when nothing was read or sent
 * for the request timeout, a write when it sent nothing for the send timeout. The group's
 * watch thread looks ({@link #timeoutCheck}); the serving thread only records times.
 */
final class TrackedConnection extends ForwardingConnection {

    // The low bits of the state word; the exchange number is above them, so that a look from
    // the watch thread and a change it makes (a timeout) concern one exchange, not the next.
    private static final long NEW = 0;       // accepted, no exchange yet
    private static final long BUSY = 1;      // inside an exchange: a drain waits for it
    private static final long IDLE = 2;      // between exchanges
    private static final long ENDED = 3;     // input shut down by a drain
    private static final long TIMED_OUT = 4; // inside an exchange the request timeout ended
    private static final long CLAIMED = 5;   // a drain is about to end it, unless a request came: see endIfQuiet
    private static final int STATE_BITS = 3;
    private static final long STATE_MASK = (1 << STATE_BITS) - 1;
    private static final long ONE_EXCHANGE = 1L << STATE_BITS;

    /** Writes to a transport that does not report its progress go out in pieces this large, each one progress. */
    static final int WRITE_PIECE = 64 * 1024;

    private final WorkerGroup group;
    private final WriteProgress transportProgress; // null: the transport does not say; writes go in pieces
    private final AtomicLong state = new AtomicLong(NEW);
    private volatile Thread servingThread;
    private volatile long idleSinceNanos = System.nanoTime();
    private volatile long lastReadNanos;
    private volatile long lastWrittenNanos;
    /** When the write in progress started or last sent a piece; 0 when no write is in progress. */
    private volatile long writingSinceNanos;
    private volatile long exchangeStartNanos;
    private volatile long exchangeStartMillis;
    private volatile long timedOutAtNanos;
    /** Set once a timeout closed the connection: there is nothing more to time. */
    private volatile boolean closedByTimeout;
    private volatile Object exchangeSummary;
    private volatile String requestId;

    TrackedConnection(Connection delegate, WorkerGroup group) {
        super(delegate);
        this.group = group;
        this.transportProgress = delegate instanceof WriteProgress p ? p : null;
    }

    /** Records the thread that serves this connection, the one a request timeout interrupts. */
    void servedBy(Thread thread) {
        servingThread = thread;
    }

    @Override
    public void idle() {
        idleSinceNanos = System.nanoTime();
        long s = state.get();
        while ((s & STATE_MASK) == BUSY || (s & STATE_MASK) == TIMED_OUT) {
            if (state.compareAndSet(s, (s & ~STATE_MASK) | IDLE)) {
                return;
            }
            s = state.get();
        }
    }

    @Override
    public void busy() {
        // Each call is one exchange (pipelined requests call it back to back, without idle()).
        group.exchangeStarted();
        exchangeSummary = null;
        requestId = null;
        exchangeStartNanos = System.nanoTime();
        exchangeStartMillis = System.currentTimeMillis();
        long s = state.get();
        // From CLAIMED too: the drain that claimed the connection then sees it busy and leaves it.
        while ((s & STATE_MASK) != ENDED) {
            if (state.compareAndSet(s, (s & ~STATE_MASK) + ONE_EXCHANGE | BUSY)) {
                return;
            }
            s = state.get();
        }
    }

    /** Whether an exchange is in progress. */
    boolean inExchange() {
        long s = state.get() & STATE_MASK;
        return s == BUSY || s == TIMED_OUT;
    }

    /** When the current exchange started (epoch ms); meaningful while {@link #inExchange()}. */
    long exchangeStartMillis() {
        return exchangeStartMillis;
    }

    @Override
    public void describeExchange(Object summary) {
        exchangeSummary = summary;
    }

    @Override
    public void describeExchange(Object summary, String id) {
        exchangeSummary = summary;
        requestId = id;
    }

    /** What the protocol called the current exchange, or null. */
    Object exchangeSummary() {
        return exchangeSummary;
    }

    @Override
    public boolean exchangeTimedOut() {
        return (state.get() & STATE_MASK) == TIMED_OUT;
    }

    @Override
    public boolean draining() {
        return group.isDraining();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = delegate.read(dst);
        if (n > 0) {
            lastReadNanos = System.nanoTime();
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        int n = delegate.read(dst, reader);
        if (n > 0) {
            lastReadNanos = System.nanoTime();
        }
        return n;
    }

    /** Bytes are waiting for a reader that has not run yet (a starved virtual thread): not quiet after all. */
    private boolean requestWaiting() {
        try {
            return delegate.inputPending();
        } catch (IOException gone) {
            return false; // nothing can arrive on a broken connection
        }
    }

    /**
     * Shuts the input of a connection that has waited for its next exchange (or its first)
     * for at least {@code grace}, so its protocol reads the end of the stream and finishes.
     * Called by a draining group.
     */
    void endIfQuiet(long now, long graceNanos) {
        long s = state.get();
        long kind = s & STATE_MASK;
        long quietSince = Math.max(idleSinceNanos, lastReadNanos);
        if ((kind != IDLE && kind != NEW) || now - quietSince < graceNanos) {
            return;
        }
        // Claim first, then look for input: a request that arrived before the claim is seen
        // (pending, or just read), and one whose reader calls busy() after the claim takes
        // the connection back from the claim, which then fails.
        long claimed = (s & ~STATE_MASK) | CLAIMED;
        if (!state.compareAndSet(s, claimed)) {
            return;
        }
        if (requestWaiting() || lastReadNanos - quietSince > 0) {
            state.compareAndSet(claimed, s);
            return;
        }
        if (!state.compareAndSet(claimed, (s & ~STATE_MASK) | ENDED)) {
            return;
        }
        try {
            delegate.shutdownInput();
        } catch (IOException alreadyGone) {
            // The peer or the protocol closed it first: nothing is left to end.
            WorkerGroup.LOG.log(System.Logger.Level.DEBUG, () -> this + ": shutdown while draining failed: " + alreadyGone);
        }
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        long bytes = 0;
        for (ByteBuffer b : srcs) {
            bytes += b.remaining();
        }
        writingSinceNanos = System.nanoTime();
        try {
            if (transportProgress != null || bytes <= WRITE_PIECE) {
                delegate.write(srcs);
            } else {
                writeInPieces(srcs);
            }
        } finally {
            writingSinceNanos = 0;
        }
        lastWrittenNanos = System.nanoTime();
        group.bytesWritten(bytes);
    }

    /** Writes {@code srcs} at most {@link #WRITE_PIECE} bytes per call, each call's end counting as progress. */
    private void writeInPieces(ByteBuffer[] srcs) throws IOException {
        int first = 0;
        while (first < srcs.length) {
            int last = first;
            long piece = 0;
            while (last < srcs.length && piece + srcs[last].remaining() <= WRITE_PIECE) {
                piece += srcs[last++].remaining();
            }
            if (last == first) {
                // One buffer larger than a piece: send a piece of it, by a limit set for the call.
                ByteBuffer big = srcs[first];
                int limit = big.limit();
                big.limit(big.position() + WRITE_PIECE);
                try {
                    delegate.write(big);
                } finally {
                    big.limit(limit);
                }
            } else {
                delegate.write(java.util.Arrays.copyOfRange(srcs, first, last));
                first = last;
            }
            while (first < srcs.length && !srcs[first].hasRemaining()) {
                first++;
            }
            long now = System.nanoTime();
            writingSinceNanos = now;
            lastWrittenNanos = now;
        }
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        writingSinceNanos = System.nanoTime();
        long sent = 0;
        try {
            if (transportProgress != null) {
                sent = delegate.transferFrom(file, position, count);
            } else {
                while (sent < count) {
                    long piece = Math.min(WRITE_PIECE, count - sent);
                    long n = delegate.transferFrom(file, position + sent, piece);
                    sent += n;
                    long now = System.nanoTime();
                    writingSinceNanos = now;
                    lastWrittenNanos = now;
                    if (n < piece) {
                        break; // the file ended
                    }
                }
            }
        } finally {
            writingSinceNanos = 0;
        }
        lastWrittenNanos = System.nanoTime();
        group.bytesWritten(sent);
        return sent;
    }

    /** What {@link #timeoutCheck} found. */
    enum Timeout {
        /** Nothing to do. */
        NONE,
        /** The exchange made no progress for the request timeout: it is marked and its thread interrupted. */
        REQUEST,
        /** A write sent nothing for the send timeout: the connection was closed. */
        SEND,
        /** A timed-out exchange did not end within the grace: the connection was closed. */
        REQUEST_IGNORED
    }

    /**
     * Applies the timeouts as of {@code now}; on the group's watch thread. Only a connection
     * that is not idle is timed (see {@link Connection#idle()}).
     *
     * @param requestNanos the request timeout, 0 for none
     * @param sendNanos    the send timeout, 0 for none
     * @param graceNanos   how long a timed-out exchange may take to end before its connection is closed
     */
    Timeout timeoutCheck(long now, long requestNanos, long sendNanos, long graceNanos) {
        long s = state.get();
        long kind = s & STATE_MASK;
        if (kind == IDLE || kind == CLAIMED || closedByTimeout) {
            return Timeout.NONE;
        }
        long writingSince = writingSinceNanos;
        if (sendNanos > 0 && writingSince != 0 && now - Math.max(writingSince, sentNanos()) >= sendNanos) {
            closeQuietly();
            return Timeout.SEND;
        }
        if (kind == TIMED_OUT) {
            if (now - timedOutAtNanos >= graceNanos) {
                closeQuietly();
                return Timeout.REQUEST_IGNORED;
            }
            return Timeout.NONE;
        }
        if (kind != BUSY || requestNanos == 0) {
            return Timeout.NONE;
        }
        long progress = Math.max(Math.max(exchangeStartNanos, lastReadNanos), Math.max(lastWrittenNanos, sentNanos()));
        if (now - progress < requestNanos || !state.compareAndSet(s, (s & ~STATE_MASK) | TIMED_OUT)) {
            return Timeout.NONE;
        }
        timedOutAtNanos = now;
        Thread serving = servingThread;
        if (serving != null) {
            // Ends a sleep, a wait, or interruptible I/O of the application; the protocol then
            // sees exchangeTimedOut(). An exchange that ended at this very moment loses only
            // its connection's next wait (the interrupt ends it), never a response.
            serving.interrupt();
        }
        return Timeout.REQUEST;
    }

    /** When the transport last sent a byte (0 when unknown); always older than now. */
    private long sentNanos() {
        WriteProgress p = transportProgress;
        long sent = p == null ? 0 : p.lastSentNanos();
        return sent == 0 ? Long.MIN_VALUE / 2 : sent;
    }

    /** What an operator needs to find the exchange: its summary and request id, as far as known. */
    String describeCurrentExchange() {
        Object summary = exchangeSummary;
        String id = requestId;
        if (summary == null && id == null) {
            return "an exchange its protocol did not describe";
        }
        return (summary == null ? "exchange" : summary.toString()) + (id == null ? "" : " (request id " + id + ")");
    }

    private void closeQuietly() {
        closedByTimeout = true;
        try {
            delegate.close();
        } catch (IOException alreadyGone) {
            WorkerGroup.LOG.log(System.Logger.Level.DEBUG, () -> this + ": closing after a timeout failed: " + alreadyGone);
        }
    }
}
