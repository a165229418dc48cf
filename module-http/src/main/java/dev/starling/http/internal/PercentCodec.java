package dev.starling.http.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of URI components as UTF-8 (RFC 3986 §2.1, §2.5). Public only for the API
 * package's {@code QueryParameters.parse}; this package is not exported.
 */
public final class PercentCodec {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private PercentCodec() {
    }

    /**
     * Decodes {@code s[from, to)}: each {@code %XX} becomes the byte {@code XX}, other characters
     * their UTF-8 bytes, {@code +} a space when {@code plusIsSpace} (form encoding, used for
     * queries), and the bytes are read as strict UTF-8.
     *
     * @throws IllegalArgumentException (a {@link MalformedTargetException}) when a {@code %} is
     *         not followed by two hex digits, or the decoded bytes are not valid UTF-8
     */
    public static String decode(String s, int from, int to, boolean plusIsSpace) {
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '%' || c >= 0x80 || (c == '+' && plusIsSpace)) {
                break;
            }
            i++;
        }
        if (i == to) {
            return s.substring(from, to); // the common case: nothing to decode
        }
        byte[] bytes = new byte[(to - from) * 3];
        int n = 0;
        boolean ascii = true;
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if (c == '%') {
                int hi = j + 2 < to ? hexValue(s.charAt(j + 1)) : -1;
                int lo = hi >= 0 ? hexValue(s.charAt(j + 2)) : -1;
                if (lo < 0) {
                    throw new MalformedTargetException("malformed percent-escape at offset " + (j - from)
                            + ": '%' must be followed by two hex digits (RFC 3986 §2.1)");
                }
                int b = (hi << 4) | lo;
                ascii &= b < 0x80;
                bytes[n++] = (byte) b;
                j += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes[n++] = ' ';
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                // Text that was never percent-encoded (a caller's own string): take its UTF-8 bytes.
                int end = j + (Character.isHighSurrogate(c) && j + 1 < to ? 2 : 1);
                byte[] utf8 = s.substring(j, end).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(utf8, 0, bytes, n, utf8.length);
                n += utf8.length;
                ascii = false;
                j = end - 1;
            }
        }
        if (ascii) {
            return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTargetException("percent-escapes do not decode as UTF-8 (RFC 3986 §2.5)");
        }
    }

    /** Decodes the whole of {@code s}; see {@link #decode(String, int, int, boolean)}. */
    public static String decode(String s, boolean plusIsSpace) {
        return decode(s, 0, s.length(), plusIsSpace);
    }

    /**
     * Encodes {@code s} as UTF-8, keeping only unreserved characters (ALPHA, DIGIT,
     * {@code - . _ ~}) as they are, so the result is safe in a path segment, a query name and
     * a query value. {@code decode(encode(s), plusIsSpace)} is {@code s} for every valid string.
     *
     * @throws IllegalArgumentException when {@code s} holds an unpaired surrogate, which has no
     *         UTF-8 form
     */
    public static String encode(String s) {
        ByteBuffer utf8;
        try {
            utf8 = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot percent-encode a string with an unpaired surrogate", e);
        }
        byte[] out = new byte[utf8.remaining() * 3];
        int n = 0;
        while (utf8.hasRemaining()) {
            int b = utf8.get() & 0xff;
            if (isUnreserved(b)) {
                out[n++] = (byte) b;
            } else {
                out[n++] = '%';
                out[n++] = HEX[b >>> 4];
                out[n++] = HEX[b & 0xf];
            }
        }
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    private static boolean isUnreserved(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
