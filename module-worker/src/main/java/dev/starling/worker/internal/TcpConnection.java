package dev.starling.worker.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;

/**
 * An accepted stream connection (TCP or UNIX) in blocking mode, served by one virtual thread. Reads and writes
 * go straight to the channel (writes gather); read timeouts are enforced by
 * {@link ReadDeadlines}, so a read costs no timer.
 */
final class TcpConnection implements Connection, WriteProgress {

    private final long id;
    private final SocketChannel channel;
    private final SocketAddress remote;
    private final SocketAddress local;
    /** FIONREAD through the socket adaptor exists for TCP only; the JDK has no adaptor for UNIX channels. */
    private final boolean tcp;
    /** The channel on the process's edge-triggered poller, or null for the JDK's blocking path. */
    private final EdgeChannel edge;
    private volatile long timeoutNanos;
    /** When the read in progress times out (System.nanoTime), or 0 when no timed read waits. */
    private volatile long readDeadlineNanos;
    /** 0: no timeout yet; 1: a read timed out (its input is shut); 2: that timeout was reported. */
    private final AtomicInteger timeoutState = new AtomicInteger();
    /** See {@link #lastSentNanos()}; the JDK's path only (the edge channel keeps its own). */
    private volatile long lastSentNanos;

    TcpConnection(long id, SocketChannel channel) throws IOException {
        this.id = id;
        this.channel = channel;
        this.remote = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        this.tcp = local instanceof java.net.InetSocketAddress;
        this.edge = EdgeChannel.of(channel);
    }

    /** Whether this connection waits on the {@link EdgePoller} rather than in the JDK's poller. */
    boolean onEdgePoller() {
        return edge != null;
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
        return read(dst, null);
    }

    /** {@code reader} null: a plain blocking read; otherwise the wait is lent to the edge poller. */
    @Override
    public int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        long timeout = timeoutNanos;
        if (timeout == 0) {
            return readOnce(dst, reader);
        }
        readDeadlineNanos = System.nanoTime() + timeout;
        int n;
        try {
            n = readOnce(dst, reader == null ? null : bytes -> {
                readDeadlineNanos = 0; // no timeout while the reader serves
                boolean used = reader.consume(bytes);
                if (used) {
                    readDeadlineNanos = System.nanoTime() + timeout; // the wait starts again
                }
                return used;
            });
        } finally {
            readDeadlineNanos = 0;
        }
        if (n < 0 && timeoutState.compareAndSet(1, 2)) {
            throw new SocketTimeoutException("no byte within " + Duration.ofNanos(timeout).toMillis() + " ms");
        }
        return n;
    }

    private int readOnce(ByteBuffer dst, EventLoopReader reader) throws IOException {
        if (edge == null) {
            return channel.read(dst);
        }
        return reader == null ? edge.read(dst) : edge.read(dst, reader);
    }

    /** Called by {@link ReadDeadlines}: ends a read that waited past its deadline. */
    void expireIfLate(long now) {
        long deadline = readDeadlineNanos;
        if (deadline != 0 && now - deadline >= 0 && timeoutState.compareAndSet(0, 1)) {
            try {
                shutdownInput();
            } catch (IOException closedMeanwhile) {
                // The connection ended on its own: nothing is left to time out.
                ReadDeadlines.get().unwatch(this);
            }
        }
    }

    @Override
    public void readTimeout(Duration timeout) {
        long nanos = timeout.toNanos();
        if (nanos > 0 && timeoutNanos == 0) {
            ReadDeadlines.get().watch(this);
        }
        timeoutNanos = nanos;
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        // A blocking channel writes everything in one call unless the peer's window fills.
        long remaining = 0;
        for (ByteBuffer b : srcs) {
            remaining += b.remaining();
        }
        if (edge != null) {
            edge.write(srcs, remaining);
            return;
        }
        while (remaining > 0) {
            long n = channel.write(srcs);
            if (n > 0) {
                remaining -= n;
                lastSentNanos = System.nanoTime();
            }
        }
    }

    @Override
    public long lastSentNanos() {
        return edge != null ? edge.lastSentNanos() : lastSentNanos;
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        // FileChannel.transferTo to a socket is sendfile(2): the bytes never enter the JVM.
        if (edge != null) {
            return edge.transferFrom(file, position, count);
        }
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
            lastSentNanos = System.nanoTime();
        }
        return sent;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean inputPending() throws IOException {
        // FIONREAD through the socket adaptor; it takes no lock a blocked reader holds. A UNIX
        // channel has none: it answers no, as a transport without the check does.
        return tcp && channel.socket().getInputStream().available() > 0;
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
        if (edge != null) {
            edge.wakeAll(); // the kernel reports the end too; this does not depend on it
        }
    }

    @Override
    public void close() throws IOException {
        ReadDeadlines.get().unwatch(this);
        if (edge != null) {
            edge.unregister();
        }
        channel.close();
        if (edge != null) {
            edge.wakeAll();
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + remote;
    }
}
