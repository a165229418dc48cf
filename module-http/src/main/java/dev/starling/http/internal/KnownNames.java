package dev.starling.http.internal;

import java.nio.charset.StandardCharsets;

/**
 * Shared strings for the methods and header names most requests carry, so parsing a typical
 * request allocates no string for them. A match must be exact (case included): names are kept
 * as received.
 */
final class KnownNames {

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"};

    private static final String[] HEADERS = {
        "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Accept",
        "Accept-Encoding", "Accept-Language", "User-Agent", "Cookie", "Expect", "Referer", "Origin",
        "Cache-Control", "Pragma", "Upgrade", "Authorization", "If-None-Match", "If-Modified-Since",
        "Range", "Keep-Alive", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest", "Upgrade-Insecure-Requests",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id",
        "host", "connection", "content-length", "content-type", "transfer-encoding", "accept",
        "accept-encoding", "user-agent", "cookie", "expect",
    };

    private static final byte[][] METHOD_BYTES = bytes(METHODS);
    private static final byte[][] HEADER_BYTES = bytes(HEADERS);

    private KnownNames() {
    }

    static String method(byte[] a, int from, int length) {
        return lookup(METHODS, METHOD_BYTES, a, from, length);
    }

    static String name(byte[] a, int from, int length) {
        return lookup(HEADERS, HEADER_BYTES, a, from, length);
    }

    private static String lookup(String[] strings, byte[][] candidates, byte[] a, int from, int length) {
        for (int i = 0; i < candidates.length; i++) {
            byte[] c = candidates[i];
            if (c.length == length && c[0] == a[from] && matches(c, a, from)) {
                return strings[i];
            }
        }
        return new String(a, from, length, StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(byte[] c, byte[] a, int from) {
        for (int j = 1; j < c.length; j++) {
            if (c[j] != a[from + j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[][] bytes(String[] strings) {
        byte[][] result = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            result[i] = strings[i].getBytes(StandardCharsets.US_ASCII);
        }
        return result;
    }
}
