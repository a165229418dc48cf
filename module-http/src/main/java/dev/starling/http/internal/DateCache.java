package dev.starling.http.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} field line in IMF-fixdate form (RFC 9110 §5.6.7), formatted at most once per
 * second for all connections of the worker. Thread-safe: the cached line is immutable and
 * replaced as a whole.
 */
final class DateCache {

    // Not RFC_1123_DATE_TIME: that prints single-digit days without the zero IMF-fixdate requires.
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private record Line(long second, byte[] bytes) {
    }

    private static volatile Line current = new Line(Long.MIN_VALUE, new byte[0]);

    private DateCache() {
    }

    /** {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} for the current second; do not modify. */
    static byte[] fieldLine() {
        long second = System.currentTimeMillis() / 1000;
        Line line = current;
        if (line.second != second) {
            line = new Line(second, format(second));
            current = line; // a race only formats the same second twice
        }
        return line.bytes;
    }

    static byte[] format(long epochSecond) {
        return ("Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond)) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
