package dev.starling.http.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids ({@code X-Request-Id}): an incoming one is kept when it is safe to log and echo,
 * otherwise one is made from a per-worker prefix and a counter. The prefix is the worker's pid
 * and start time in base 36, then a decimal counter, so ids stay unique across the workers of a
 * server and across restarts; making one costs an atomic increment and one short string. Thread-safe.
 */
final class RequestIds {

    /** The longest incoming id kept; a longer one is replaced. */
    static final int MAX_LENGTH = 128;

    private static final String PREFIX = Long.toString(ProcessHandle.current().pid(), 36) + "."
            + Long.toString(System.currentTimeMillis(), 36) + "-";
    private static final AtomicLong COUNTER = new AtomicLong();

    private RequestIds() {
    }

    /** A new id, unique within this worker process and, with high probability, across workers and restarts. */
    static String next() {
        // A String and a long concatenated make one array and one String, sized once (the JDK's
        // concatenation helper); formatting the counter into an array first and then making a
        // String of it would copy it a second time.
        return PREFIX + COUNTER.incrementAndGet();
    }

    /**
     * Whether an incoming {@code X-Request-Id} value is kept: 1 to {@value #MAX_LENGTH} characters,
     * each a letter, a digit or one of {@code -_.:+/=@}. Anything else (spaces, quotes, controls)
     * could forge or break a log line, so such a value is replaced by a new id.
     */
    static boolean isValid(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
