package dev.starling.http.internal;

import dev.starling.process.ProcessContext;
import java.time.Duration;

/**
 * The settings of the {@code http1} protocol, read once per worker process.
 *
 * @param maxRequestLine   {@code --max-request-line}: the most bytes the request line may take,
 *                         without its CRLF; default 8192, 64..1048576. Longer: 414.
 * @param maxHeaderSize    {@code --max-header-size}: the most bytes the header section after
 *                         the request line may take, CRLFs included, and separately the most a
 *                         chunked body's trailer section may take; default 8192, 256..1048576.
 *                         Larger: 431.
 * @param maxBodySize      {@code --max-body-size}: the most bytes of request content (after
 *                         de-chunking); default 10485760 (10 MiB), 0..2147483647. Larger: 413.
 * @param keepAliveTimeout {@code --keepalive-timeout}: seconds a connection may wait for the
 *                         first byte of the next request, then it is closed quietly; default 5,
 *                         1..3600
 * @param headerTimeout    {@code --header-timeout}: seconds from the first byte of a request to
 *                         the end of its header section, however the bytes trickle in; then
 *                         408 and close; default 10, 1..3600
 * @param bodyTimeout      {@code --body-timeout}: seconds each read inside a request body may
 *                         wait for a byte; then 408 and close; default 30, 1..3600
 * @param maxKeepAliveRequests {@code --max-keepalive-reqs}: requests served on one connection;
 *                         the last is answered with {@code Connection: close}; default 1000,
 *                         1..2147483647
 * @param accessLog        {@code --access-log}: whether each request is logged to
 *                         {@value AccessLog#LOGGER_NAME}; default false
 * @param handler          {@code --handler}: the name of the {@link dev.starling.http.Handler}
 *                         that answers requests; default {@code welcome}
 */
record Http1Settings(int maxRequestLine, int maxHeaderSize, long maxBodySize, Duration keepAliveTimeout,
                     Duration headerTimeout, Duration bodyTimeout, int maxKeepAliveRequests, boolean accessLog,
                     String handler) {

    static final int DEFAULT_MAX_REQUEST_LINE = 8192;
    static final int DEFAULT_MAX_HEADER_SIZE = 8192;
    static final int DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024;
    static final int DEFAULT_KEEPALIVE_SECONDS = 5;
    static final int DEFAULT_HEADER_TIMEOUT_SECONDS = 10;
    static final int DEFAULT_BODY_TIMEOUT_SECONDS = 30;
    static final int DEFAULT_MAX_KEEPALIVE_REQUESTS = 1000;
    static final String DEFAULT_HANDLER = "welcome";

    Http1Settings {
        if (maxRequestLine < 64) {
            throw new IllegalArgumentException("max request line must be at least 64, was " + maxRequestLine);
        }
        if (maxHeaderSize < 256) {
            throw new IllegalArgumentException("max header size must be at least 256, was " + maxHeaderSize);
        }
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("max body size must not be negative, was " + maxBodySize);
        }
        if (!keepAliveTimeout.isPositive() || !headerTimeout.isPositive() || !bodyTimeout.isPositive()) {
            throw new IllegalArgumentException("timeouts must be positive, were " + keepAliveTimeout + " (keep-alive), "
                    + headerTimeout + " (header), " + bodyTimeout + " (body)");
        }
        if (maxKeepAliveRequests < 1) {
            throw new IllegalArgumentException("max keep-alive requests must be at least 1, was " + maxKeepAliveRequests);
        }
    }

    /**
     * Reads the settings from {@code context}, applying the documented defaults.
     *
     * @throws IllegalArgumentException naming the flag, for a value that is not an integer or
     *         out of bounds, or a blank handler name
     */
    static Http1Settings from(ProcessContext context) {
        int maxRequestLine = context.intSetting("max-request-line", DEFAULT_MAX_REQUEST_LINE, 64, 1_048_576);
        int maxHeaderSize = context.intSetting("max-header-size", DEFAULT_MAX_HEADER_SIZE, 256, 1_048_576);
        int maxBodySize = context.intSetting("max-body-size", DEFAULT_MAX_BODY_SIZE, 0, Integer.MAX_VALUE);
        int keepAlive = context.intSetting("keepalive-timeout", DEFAULT_KEEPALIVE_SECONDS, 1, 3600);
        int headerTimeout = context.intSetting("header-timeout", DEFAULT_HEADER_TIMEOUT_SECONDS, 1, 3600);
        int bodyTimeout = context.intSetting("body-timeout", DEFAULT_BODY_TIMEOUT_SECONDS, 1, 3600);
        int maxKeepAliveRequests = context.intSetting("max-keepalive-reqs", DEFAULT_MAX_KEEPALIVE_REQUESTS, 1,
                Integer.MAX_VALUE);
        boolean accessLog = booleanSetting(context, "access-log");
        String handler = context.setting("handler").map(String::trim).orElse(DEFAULT_HANDLER);
        if (handler.isEmpty()) {
            throw new IllegalArgumentException("--handler must name a handler, was blank");
        }
        return new Http1Settings(maxRequestLine, maxHeaderSize, maxBodySize, Duration.ofSeconds(keepAlive),
                Duration.ofSeconds(headerTimeout), Duration.ofSeconds(bodyTimeout), maxKeepAliveRequests, accessLog, handler);
    }

    static Http1Settings defaults() {
        return new Http1Settings(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE,
                Duration.ofSeconds(DEFAULT_KEEPALIVE_SECONDS), Duration.ofSeconds(DEFAULT_HEADER_TIMEOUT_SECONDS),
                Duration.ofSeconds(DEFAULT_BODY_TIMEOUT_SECONDS), DEFAULT_MAX_KEEPALIVE_REQUESTS, false, DEFAULT_HANDLER);
    }

    /** A flag that is off unless given as {@code true}. */
    private static boolean booleanSetting(ProcessContext context, String name) {
        String value = context.setting(name).map(String::trim).orElse("false");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be true or false, was '" + value + "'");
        };
    }
}
