package dev.starling.worker.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * An accepted TCP connection in blocking mode, served by one virtual thread. Reads go through
 * the socket adaptor's stream because it is the JDK's only read with a timeout (it parks the
 * virtual thread, it does not pin a carrier); writes go straight to the channel, which gathers.
 */
final class TcpConnection implements Connection {

    private final long id;
    private final SocketChannel channel;
    private final InputStream in;
    private final SocketAddress remote;
    private final SocketAddress local;

    TcpConnection(long id, SocketChannel channel) throws IOException {
        this.id = id;
        this.channel = channel;
        this.in = channel.socket().getInputStream();
        this.remote = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasArray()) {
            return channel.socket().getSoTimeout() == 0 ? channel.read(dst) : readViaHeap(dst);
        }
        int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    private int readViaHeap(ByteBuffer dst) throws IOException {
        byte[] bytes = new byte[Math.min(dst.remaining(), 16384)];
        int n = in.read(bytes);
        if (n > 0) {
            dst.put(bytes, 0, n);
        }
        return n;
    }

    @Override
    public void readTimeout(Duration timeout) throws IOException {
        channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        // A blocking channel writes everything in one call unless the peer's window fills.
        long remaining = 0;
        for (ByteBuffer b : srcs) {
            remaining += b.remaining();
        }
        while (remaining > 0) {
            remaining -= channel.write(srcs);
        }
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        // FileChannel.transferTo to a socket is sendfile(2): the bytes never enter the JVM.
        long sent = 0;
        while (sent < count) {
            long n = file.transferTo(position + sent, count - sent, channel);
            if (n <= 0) {
                if (position + sent >= file.size()) {
                    break;
                }
                continue;
            }
            sent += n;
        }
        return sent;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + remote;
    }
}
