package dev.starling.http.websocket.internal;

/**
 * Checks UTF-8 (RFC 3629) incrementally, so that a text message split into fragments at any byte
 * is checked as one sequence and fails at the first invalid byte (RFC 6455 §8.1): overlong forms,
 * surrogates, code points over U+10FFFF and stray continuation bytes are invalid. Not thread-safe.
 */
final class Utf8Validator {

    private int needed; // continuation bytes still expected in the current sequence
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Whether {@code data[from, to)} continues a valid sequence; false at the first invalid byte. */
    boolean feed(byte[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = data[i] & 0xFF;
            if (needed == 0) {
                if (b < 0x80) {
                    continue;
                }
                if (!start(b)) {
                    return false;
                }
            } else {
                if (b < lower || b > upper) {
                    return false;
                }
                needed--;
                lower = 0x80;
                upper = 0xBF;
            }
        }
        return true;
    }

    /** Whether everything fed so far ends on a character boundary; then starts afresh. */
    boolean complete() {
        boolean whole = needed == 0;
        needed = 0;
        lower = 0x80;
        upper = 0xBF;
        return whole;
    }

    /** Whether {@code data[from, to)} is complete, valid UTF-8 by itself. */
    static boolean isValid(byte[] data, int from, int to) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(data, from, to) && v.complete();
    }

    /** The lead byte {@code b}: sets what must follow, per the table in RFC 3629 §4. */
    private boolean start(int b) {
        if (b >= 0xC2 && b <= 0xDF) {
            needed = 1;
        } else if (b == 0xE0) {
            needed = 2;
            lower = 0xA0;
        } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
            needed = 2;
        } else if (b == 0xED) {
            needed = 2;
            upper = 0x9F; // no surrogates
        } else if (b == 0xF0) {
            needed = 3;
            lower = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
            needed = 3;
        } else if (b == 0xF4) {
            needed = 3;
            upper = 0x8F; // nothing over U+10FFFF
        } else {
            return false;
        }
        return true;
    }
}
