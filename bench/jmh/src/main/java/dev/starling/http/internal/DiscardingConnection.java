package dev.starling.http.internal;

import dev.starling.process.Connection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A connection that drops what is written and counts it, so benchmarks measure the writer, not a socket. */
final class DiscardingConnection implements Connection {

    private static final SocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 8080);

    long written;
    long writeCalls;

    @Override
    public long id() {
        return 1;
    }

    @Override
    public SocketAddress remoteAddress() {
        return ADDRESS;
    }

    @Override
    public SocketAddress localAddress() {
        return ADDRESS;
    }

    @Override
    public int read(ByteBuffer dst) {
        return -1;
    }

    @Override
    public void readTimeout(Duration timeout) {
    }

    @Override
    public void write(ByteBuffer... srcs) {
        writeCalls++;
        for (ByteBuffer src : srcs) {
            written += src.remaining();
            src.position(src.limit());
        }
    }

    @Override
    public void shutdownOutput() {
    }

    @Override
    public void shutdownInput() {
    }

    @Override
    public void close() {
    }
}
