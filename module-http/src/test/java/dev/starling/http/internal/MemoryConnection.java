package dev.starling.http.internal;

import dev.starling.process.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A connection without a network: each queued chunk is what one {@link #read} returns (split
 * only if the destination is smaller), an empty chunk stands for a read timeout, and after the
 * last chunk reads return -1 (the peer closed). Everything written is captured.
 */
final class MemoryConnection implements Connection {

    private static final byte[] TIMEOUT = new byte[0];

    private final Deque<byte[]> reads = new ArrayDeque<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final List<String> events = new ArrayList<>();
    private int writeCalls;
    private boolean draining;
    private boolean outputShut;
    private Duration readTimeout = Duration.ZERO;
    private final List<Duration> timeoutsSet = new ArrayList<>();
    private long nanos = 1_000_000_000L;
    private long nanosPerRead;

    /** One read's worth of bytes, ISO-8859-1. */
    MemoryConnection thenRead(String chunk) {
        return thenRead(chunk.getBytes(StandardCharsets.ISO_8859_1));
    }

    MemoryConnection thenRead(byte[] chunk) {
        reads.add(chunk);
        return this;
    }

    /** The next read throws {@link SocketTimeoutException}. */
    MemoryConnection thenTimeOut() {
        reads.add(TIMEOUT);
        return this;
    }

    /** Each read makes {@link #nanoTime()} advance by {@code elapsed}: a client that sends slowly, without waiting. */
    MemoryConnection readsTake(Duration elapsed) {
        this.nanosPerRead = elapsed.toNanos();
        return this;
    }

    /** A clock for the connection loop that only reads move. */
    long nanoTime() {
        return nanos;
    }

    /** Every read timeout set, in order. */
    List<Duration> timeoutsSet() {
        return timeoutsSet;
    }

    MemoryConnection draining(boolean draining) {
        this.draining = draining;
        return this;
    }

    String output() {
        return written.toString(StandardCharsets.ISO_8859_1);
    }

    int writeCalls() {
        return writeCalls;
    }

    /** idle, busy, read, write and shutdown calls in order, for protocol-order assertions. */
    List<String> events() {
        return events;
    }

    boolean outputShut() {
        return outputShut;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    boolean allInputRead() {
        return reads.isEmpty();
    }

    @Override
    public long id() {
        return 42;
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 50000);
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 8080);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        nanos += nanosPerRead;
        byte[] chunk = reads.poll();
        if (chunk == null) {
            events.add("eof");
            return -1;
        }
        if (chunk == TIMEOUT) {
            events.add("timeout");
            throw new SocketTimeoutException("read timed out");
        }
        int n = Math.min(chunk.length, dst.remaining());
        dst.put(chunk, 0, n);
        if (n < chunk.length) {
            byte[] rest = new byte[chunk.length - n];
            System.arraycopy(chunk, n, rest, 0, rest.length);
            reads.addFirst(rest);
        }
        events.add("read");
        return n;
    }

    /**
     * Lends waits to an emulated event loop: {@link #read(ByteBuffer, EventLoopReader)} hands each
     * chunk to the reader, on the calling thread, for as long as it uses them all, as the worker's
     * edge poller does on its own thread.
     */
    MemoryConnection withEventLoop() {
        this.eventLoop = true;
        return this;
    }

    /** How many times a handler called {@link #countIfOnEventLoop} inside this connection's emulated event loop. */
    int handledOnEventLoop() {
        return handledOnLoop;
    }

    /** For handlers: counts a call made inside the emulated event loop of the connection that runs it. */
    static void countIfOnEventLoop() {
        MemoryConnection c = LOOP.get();
        if (c != null) {
            c.handledOnLoop++;
        }
    }

    private static final ThreadLocal<MemoryConnection> LOOP = new ThreadLocal<>();
    private boolean eventLoop;
    private int handledOnLoop;

    @Override
    public int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        if (!eventLoop) {
            return read(dst);
        }
        while (true) {
            int n = read(dst); // -1 and timeouts end the wait, as on the real loop
            if (n <= 0) {
                return n;
            }
            boolean used;
            LOOP.set(this);
            try {
                used = reader.consume(n);
            } finally {
                LOOP.remove();
            }
            if (!used) {
                return n;
            }
            events.add("loop");
        }
    }

    @Override
    public void readTimeout(Duration timeout) {
        this.readTimeout = timeout;
        timeoutsSet.add(timeout);
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        if (outputShut) {
            throw new IOException("output is shut down");
        }
        writeCalls++;
        events.add("write");
        for (ByteBuffer src : srcs) {
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            written.write(bytes);
        }
    }

    /** Records the call, then copies as the default does, so tests see that sendfile was asked for. */
    @Override
    public long transferFrom(java.nio.channels.FileChannel file, long position, long count) throws IOException {
        events.add("transfer");
        return Connection.super.transferFrom(file, position, count);
    }

    @Override
    public void shutdownOutput() {
        outputShut = true;
        events.add("shutdown");
    }

    @Override
    public void shutdownInput() {
        events.add("shutdown input");
    }

    @Override
    public void idle() {
        events.add("idle");
        exchangeTimedOut = false;
    }

    @Override
    public void busy() {
        events.add("busy");
        exchangeTimedOut = false;
    }

    private boolean exchangeTimedOut;
    private String describedRequestId;

    /**
     * What a worker does when the current exchange passes its request timeout, done on the
     * calling thread (the one serving the connection): marks the exchange and interrupts the thread.
     */
    void timeOutExchange() {
        exchangeTimedOut = true;
        events.add("timed out");
        Thread.currentThread().interrupt();
    }

    @Override
    public boolean exchangeTimedOut() {
        return exchangeTimedOut;
    }

    @Override
    public void describeExchange(Object summary, String requestId) {
        describedRequestId = requestId;
    }

    /** The request id the protocol gave the current exchange, or null. */
    String describedRequestId() {
        return describedRequestId;
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public void close() {
        events.add("close");
    }
}
