package dev.starling.process;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One accepted stream connection, owned by the thread that serves it: reads and writes are
 * not meant to be called from two threads at once.
 *
 * <p>The worker that accepted the connection may need to stop (a graceful shutdown or
 * reload). It then lets each connection finish the exchange it is in, and ends connections
 * that wait between exchanges. A protocol takes part by calling {@link #idle()} before it
 * waits for the next request and {@link #busy()} once one starts arriving; a protocol that
 * never calls them is simply waited for, up to the graceful timeout.
 */
public interface Connection extends Closeable {

    /** A number unique within this worker process, for log lines. */
    long id();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** The local address the connection was accepted on. */
    SocketAddress localAddress();

    /**
     * Reads at least one byte into {@code dst}, blocking until bytes arrive.
     *
     * @return the number of bytes read, or -1 at the end of the stream (the peer closed its
     *         side, or the worker ended an idle connection while draining)
     * @throws SocketTimeoutException when the {@link #readTimeout(Duration) read timeout}
     *         passes with no byte; reading is over then (later reads return -1), writing
     *         still works, e.g. for a 408 answer
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Reads as {@link #read(ByteBuffer)} does, but lets a transport that watches its sockets from
     * an event loop use the wait: when bytes arrive while this thread waits, the transport may
     * read them into {@code dst} itself, on the event loop's thread, and hand them to
     * {@code reader} there instead of waking this thread. As long as {@code reader} says it used
     * them all, the wait goes on (and the {@link #readTimeout read timeout} starts again); the
     * call returns only when it says it did not, when input ends, or on an error. A request
     * served within the wait thus costs no thread switch, as in an event-loop server.
     *
     * <p>The default reads as {@link #read(ByteBuffer)} and never calls {@code reader}.
     *
     * <p>While {@code reader} runs, this thread is parked inside this call and touches nothing;
     * everything the reader wrote is visible to it when the call returns, and everything this
     * thread wrote before the call is visible to the reader. The reader may write to this
     * connection: such writes never block the event loop (what the socket cannot take at once
     * is kept and sent by this thread's next call on the connection, before anything else).
     *
     * @param dst    as for {@link #read(ByteBuffer)}; the reader may change its contents and
     *               position between reads (see {@link EventLoopReader#consume})
     * @param reader called on the event loop's thread, never concurrently with itself
     * @return as {@link #read(ByteBuffer)}: the number of bytes the last read put in
     *         {@code dst} when the reader left them (or some of them) to this thread, or -1
     * @throws IOException as {@link #read(ByteBuffer)}, or what {@code reader} threw
     */
    default int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        return read(dst);
    }

    /**
     * What {@link #read(ByteBuffer, EventLoopReader)} hands bytes to on a transport's event loop.
     * It must not block: it runs on the thread that serves every connection's readiness.
     */
    @FunctionalInterface
    interface EventLoopReader {
        /**
         * Uses bytes just read on the event loop.
         *
         * @param n how many bytes the read put in the waiting call's {@code dst}, ending at its
         *          position
         * @return {@code true} when they were all used: {@code dst} must then be ready for the
         *         next read (its position where the next bytes go); {@code false} to end the
         *         waiting call, leaving {@code dst} as that call's caller expects to find it
         * @throws IOException ends the waiting call with this exception
         */
        boolean consume(int n) throws IOException;
    }

    /**
     * Sets how long {@link #read} waits for the next byte; {@link Duration#ZERO} waits
     * forever (the default).
     */
    void readTimeout(Duration timeout) throws IOException;

    /** Writes all remaining bytes of {@code srcs}, in order, with as few system calls as the transport allows. */
    void write(ByteBuffer... srcs) throws IOException;

    /**
     * Sends {@code count} bytes of {@code file} starting at {@code position}, after anything
     * written before. Transports that can hand the copy to the kernel ({@code sendfile} for
     * TCP) do; the default reads the file into a buffer and {@link #write}s it.
     *
     * @return the bytes sent: {@code count}, or fewer when the file ends first
     */
    default long transferFrom(java.nio.channels.FileChannel file, long position, long count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
        long sent = 0;
        while (sent < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - sent));
            int n = file.read(buffer, position + sent);
            if (n < 0) {
                break;
            }
            buffer.flip();
            write(buffer);
            sent += n;
        }
        return sent;
    }

    /** Closes the sending side: the peer reads the end of the stream; reading stays possible. */
    void shutdownOutput() throws IOException;

    /**
     * Whether bytes have arrived that no read has taken yet. Callable from any thread; a
     * draining worker asks it before ending a quiet connection, so that a request that arrived
     * while its reader was not scheduled is served, not cut. The default says no.
     */
    default boolean inputPending() throws IOException {
        return false;
    }

    /** Closes the receiving side: a read blocked now, and every later one, returns -1; writing stays possible. */
    void shutdownInput() throws IOException;

    /**
     * Tells the worker that this connection is between exchanges, so a draining worker may
     * end it: if the worker drains now or later while the connection is idle, a pending or
     * future {@link #read} returns -1. An idle connection is not timed by the worker's request
     * and send timeouts: a protocol that goes on writing after its last exchange (a WebSocket
     * session after its handshake) keeps it idle and times its own sends. The default does
     * nothing.
     */
    default void idle() {
    }

    /**
     * Tells the worker that an exchange has started (its first bytes were read): a draining
     * worker waits for it to finish. Call it once per exchange, also for exchanges that follow
     * each other without an idle wait (pipelined requests): the worker counts exchanges as
     * requests served. The default does nothing.
     */
    default void busy() {
    }

    /**
     * Names the current exchange for operators, once the protocol knows what it is: the
     * scoreboard shows it, and the worker's log lines about it (a timeout) name it (for HTTP,
     * the request line). {@code summary} is kept as given and its {@code toString()} is called
     * only when it is shown, so pass an object the protocol has anyway. The default does nothing.
     */
    default void describeExchange(Object summary) {
    }

    /**
     * {@link #describeExchange(Object)}, with the identifier the protocol gave the exchange
     * (for HTTP, the request id it answers with), for log lines that must let an operator find
     * the exchange elsewhere. The default forwards {@code summary} alone.
     *
     * @param requestId the exchange's identifier, or {@code null} when it has none
     */
    default void describeExchange(Object summary, String requestId) {
        describeExchange(summary);
    }

    /**
     * Whether the worker ended the current exchange because it made no progress (no byte read
     * or sent) for the request timeout ({@code --request-timeout}). Only the exchange ends, not
     * the worker: the worker interrupts the thread serving the connection, and closes the
     * connection itself if the exchange has not ended a short grace later. A protocol that
     * sees it, typically when its application code fails or returns after the interrupt,
     * clears its thread's interrupt status (the interrupt was the worker's), tells the peer if
     * nothing of the answer was sent yet (HTTP: {@code 503} with {@code Connection: close}) and
     * ends the connection. It stays true until the protocol calls {@link #idle()} or
     * {@link #busy()}. Callable from the thread that serves the connection; the default is false.
     */
    default boolean exchangeTimedOut() {
        return false;
    }

    /**
     * Whether the worker is draining: the protocol should end the connection after the
     * current exchange (for HTTP, answer with {@code Connection: close}). The default is false.
     */
    default boolean draining() {
        return false;
    }

    /** Closes the connection; idempotent. */
    @Override
    void close() throws IOException;
}
