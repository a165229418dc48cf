package dev.starling.worker;

import dev.starling.process.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport's connection as seen by the protocol, with the drain protocol of
 * {@link Connection#idle()} and {@link Connection#busy()} implemented once for every transport.
 */
final class TrackedConnection implements Connection {

    private static final int NEW = 0;      // accepted, no exchange yet: never cut, it may carry a first request
    private static final int BUSY = 1;     // inside an exchange: a drain waits for it
    private static final int IDLE = 2;     // between exchanges: a drain may end it
    private static final int ENDED = 3;    // input shut down by a drain

    private final Connection delegate;
    private final WorkerGroup group;
    private final AtomicInteger state = new AtomicInteger(NEW);

    TrackedConnection(Connection delegate, WorkerGroup group) {
        this.delegate = delegate;
        this.group = group;
    }

    @Override
    public void idle() {
        if (state.compareAndSet(BUSY, IDLE) && group.isDraining()) {
            endIfIdle();
        }
    }

    @Override
    public void busy() {
        state.compareAndSet(IDLE, BUSY);
        state.compareAndSet(NEW, BUSY);
    }

    @Override
    public boolean draining() {
        return group.isDraining();
    }

    /** Called by a draining group, and by {@link #idle()} once draining: shuts the input of an idle connection. */
    void endIfIdle() {
        if (state.compareAndSet(IDLE, ENDED)) {
            try {
                delegate.shutdownInput();
            } catch (IOException alreadyGone) {
                // The peer or the protocol closed it first: nothing is left to end.
                WorkerGroup.LOG.log(System.Logger.Level.DEBUG, () -> this + ": shutdown while draining failed: " + alreadyGone);
            }
        }
    }

    @Override
    public long id() {
        return delegate.id();
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public void readTimeout(Duration timeout) throws IOException {
        delegate.readTimeout(timeout);
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        delegate.write(srcs);
    }

    @Override
    public long transferFrom(java.nio.channels.FileChannel file, long position, long count) throws IOException {
        return delegate.transferFrom(file, position, count);
    }

    @Override
    public void shutdownOutput() throws IOException {
        delegate.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        delegate.shutdownInput();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
