package dev.starling.http.internal;

import static java.lang.System.Logger.Level.INFO;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The access log: one line per answered request, at INFO on the {@code System.Logger} named
 * {@value #LOGGER_NAME}, so operators route or silence it apart from the server's own log. On
 * only with {@code --access-log}; when off, connections hold no {@code AccessLog} at all and pay
 * nothing per request. Thread-safe.
 *
 * <p>A line reads {@code worker pid 81 connection 7: 127.0.0.1:50412 "GET /a?b HTTP/1.1" 200 512
 * 0.231 ms id=2bx.m1k3c9-5f}: the peer, the request line (already validated, so it holds only
 * visible ASCII), the status, the content length ({@code -} when streamed or not sent), the time
 * from the complete request head to the response handed to the kernel, and the request id.
 * A request rejected before its head was complete shows {@code "-"} for the request line and
 * {@code id=-}.
 */
final class AccessLog {

    /** The logger name, stable once released: operators configure it. */
    static final String LOGGER_NAME = "dev.starling.http.access";

    private static final long PID = ProcessHandle.current().pid();

    private final Consumer<String> sink;

    private AccessLog(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Logs to {@value #LOGGER_NAME} at INFO. */
    static AccessLog toSystemLogger() {
        System.Logger logger = System.getLogger(LOGGER_NAME);
        return new AccessLog(line -> logger.log(INFO, line));
    }

    /** Hands each line to {@code sink}; for tests. */
    static AccessLog to(Consumer<String> sink) {
        return new AccessLog(sink);
    }

    /**
     * Logs one exchange.
     *
     * @param requestLine   {@code METHOD target VERSION}, or {@code null} for a request rejected before its head was read
     * @param contentLength the content bytes sent, or -1 when unknown or none were sent
     * @param startNanos    {@link System#nanoTime()} when the head was complete
     * @param requestId     the request id, or {@code null} when the request had none yet
     */
    void log(long connectionId, SocketAddress remote, String requestLine, int status, long contentLength,
             long startNanos, String requestId) {
        long micros = (System.nanoTime() - startNanos) / 1000;
        StringBuilder sb = new StringBuilder(160)
                .append("worker pid ").append(PID).append(" connection ").append(connectionId).append(": ")
                .append(peer(remote)).append(" \"").append(requestLine == null ? "-" : requestLine).append("\" ")
                .append(status).append(' ').append(contentLength < 0 ? "-" : Long.toString(contentLength)).append(' ')
                .append(micros / 1000).append('.').append((char) ('0' + micros / 100 % 10))
                .append((char) ('0' + micros / 10 % 10)).append((char) ('0' + micros % 10)).append(" ms id=")
                .append(requestId == null ? "-" : requestId);
        sink.accept(sb.toString());
    }

    private static String peer(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(remote);
    }
}
