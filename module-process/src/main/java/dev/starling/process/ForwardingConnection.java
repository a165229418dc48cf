package dev.starling.process;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Connection} that forwards every call to another one: the base for decorators that
 * change a few methods (a worker's drain bookkeeping, a protocol's write batching) and leave
 * the rest alone.
 */
public abstract class ForwardingConnection implements Connection {

    /** The connection calls go to. */
    protected final Connection delegate;

    protected ForwardingConnection(Connection delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    public int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        return delegate.read(dst, reader);
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
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        return delegate.transferFrom(file, position, count);
    }

    @Override
    public void shutdownOutput() throws IOException {
        delegate.shutdownOutput();
    }

    @Override
    public boolean inputPending() throws IOException {
        return delegate.inputPending();
    }

    @Override
    public void shutdownInput() throws IOException {
        delegate.shutdownInput();
    }

    @Override
    public void idle() {
        delegate.idle();
    }

    @Override
    public void busy() {
        delegate.busy();
    }

    @Override
    public void describeExchange(Object summary) {
        delegate.describeExchange(summary);
    }

    @Override
    public void describeExchange(Object summary, String requestId) {
        delegate.describeExchange(summary, requestId);
    }

    @Override
    public boolean exchangeTimedOut() {
        return delegate.exchangeTimedOut();
    }

    @Override
    public boolean draining() {
        return delegate.draining();
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
