package dev.starling.worker;

import dev.starling.process.Connection;
import dev.starling.process.ForwardingConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport's connection as seen by the protocol, with the drain protocol of
 * {@link Connection#idle()} and {@link Connection#busy()} implemented once for every transport.
 *
 * <p>A draining worker ends only connections that have been quiet for a grace period: a
 * client may have sent its next request at the very moment the connection went idle, and
 * cutting it then would lose that request. Clients that keep talking are answered with
 * {@code Connection: close} by the protocol instead (it asks {@link #draining()}).
 */
final class TrackedConnection extends ForwardingConnection {

    private static final int NEW = 0;      // accepted, no exchange yet
    private static final int BUSY = 1;     // inside an exchange: a drain waits for it
    private static final int IDLE = 2;     // between exchanges
    private static final int ENDED = 3;    // input shut down by a drain

    private final WorkerGroup group;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile long quietSinceNanos = System.nanoTime();
    private volatile long exchangeStartMillis;
    private volatile Object exchangeSummary;

    TrackedConnection(Connection delegate, WorkerGroup group) {
        super(delegate);
        this.group = group;
    }

    @Override
    public void idle() {
        quietSinceNanos = System.nanoTime();
        state.compareAndSet(BUSY, IDLE);
    }

    @Override
    public void busy() {
        // Each call is one exchange (pipelined requests call it back to back, without idle()).
        group.exchangeStarted();
        exchangeSummary = null;
        exchangeStartMillis = System.currentTimeMillis();
        if (!state.compareAndSet(IDLE, BUSY)) {
            state.compareAndSet(NEW, BUSY);
        }
    }

    /** Whether an exchange is in progress. */
    boolean inExchange() {
        return state.get() == BUSY;
    }

    /** When the current exchange started (epoch ms); meaningful while {@link #inExchange()}. */
    long exchangeStartMillis() {
        return exchangeStartMillis;
    }

    @Override
    public void describeExchange(Object summary) {
        exchangeSummary = summary;
    }

    /** What the protocol called the current exchange, or null. */
    Object exchangeSummary() {
        return exchangeSummary;
    }

    @Override
    public boolean draining() {
        return group.isDraining();
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
        int s = state.get();
        if ((s == IDLE || s == NEW) && now - quietSinceNanos >= graceNanos && !requestWaiting()
                && state.compareAndSet(s, ENDED)) {
            try {
                delegate.shutdownInput();
            } catch (IOException alreadyGone) {
                // The peer or the protocol closed it first: nothing is left to end.
                WorkerGroup.LOG.log(System.Logger.Level.DEBUG, () -> this + ": shutdown while draining failed: " + alreadyGone);
            }
        }
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        long bytes = 0;
        for (ByteBuffer b : srcs) {
            bytes += b.remaining();
        }
        delegate.write(srcs);
        group.bytesWritten(bytes);
    }

    @Override
    public long transferFrom(java.nio.channels.FileChannel file, long position, long count) throws IOException {
        long sent = delegate.transferFrom(file, position, count);
        group.bytesWritten(sent);
        return sent;
    }

}
