package dev.starling.http.websocket.internal;

/**
 * Writes the header of a server frame (RFC 6455 §5.2): final, unmasked (§5.1: a server never
 * masks), with the shortest of the 7-, 16- and 64-bit length forms.
 */
final class FrameHeaders {

    /** The longest header a server frame has: 2 bytes, then an 8-byte length. */
    static final int MAX_LENGTH = 10;

    private FrameHeaders() {
    }

    /**
     * Writes into {@code dst} the header of a final frame.
     *
     * @return the header's length in bytes
     */
    static int write(byte[] dst, boolean rsv1, int opcode, long payloadLength) {
        dst[0] = (byte) (0x80 | (rsv1 ? 0x40 : 0) | opcode);
        if (payloadLength < 126) {
            dst[1] = (byte) payloadLength;
            return 2;
        }
        if (payloadLength <= 0xFFFF) {
            dst[1] = 126;
            dst[2] = (byte) (payloadLength >>> 8);
            dst[3] = (byte) payloadLength;
            return 4;
        }
        dst[1] = 127;
        for (int i = 0; i < 8; i++) {
            dst[2 + i] = (byte) (payloadLength >>> (56 - 8 * i));
        }
        return 10;
    }
}
