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
 *                         next request (closed quietly when it passes) and for each further
 *                         read within a request (answered 408); default 5, 1..3600
 * @param accessLog        {@code --access-log}: whether each request is logged to
 *                         {@value AccessLog#LOGGER_NAME}; default false
 * @param handler          {@code --handler}: the name of the {@link dev.starling.http.Handler}
 *                         that answers requests; default {@code welcome}
 */
record Http1Settings(int maxRequestLine, int maxHeaderSize, long maxBodySize, Duration keepAliveTimeout, boolean accessLog,
                     String handler) {

    static final int DEFAULT_MAX_REQUEST_LINE = 8192;
    static final int DEFAULT_MAX_HEADER_SIZE = 8192;
    static final int DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024;
    static final int DEFAULT_KEEPALIVE_SECONDS = 5;
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
        if (!keepAliveTimeout.isPositive()) {
            throw new IllegalArgumentException("keep-alive timeout must be positive, was " + keepAliveTimeout);
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
        boolean accessLog = booleanSetting(context, "access-log");
        String handler = context.setting("handler").map(String::trim).orElse(DEFAULT_HANDLER);
        if (handler.isEmpty()) {
            throw new IllegalArgumentException("--handler must name a handler, was blank");
        }
        return new Http1Settings(maxRequestLine, maxHeaderSize, maxBodySize, Duration.ofSeconds(keepAlive), accessLog, handler);
    }

    static Http1Settings defaults() {
        return new Http1Settings(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE,
                Duration.ofSeconds(DEFAULT_KEEPALIVE_SECONDS), false, DEFAULT_HANDLER);
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
