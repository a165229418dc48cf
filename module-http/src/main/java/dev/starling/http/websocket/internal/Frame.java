package dev.starling.http.websocket.internal;

/**
 * One WebSocket frame as received (RFC 6455 §5.2), its payload already unmasked.
 *
 * @param fin     whether this is the last frame of its message
 * @param rsv1    the first reserved bit: a compressed message under permessage-deflate (RFC 7692 §6)
 * @param opcode  one of the {@code OP_} constants
 * @param payload the application data; owned by the receiver
 */
record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** The most payload a control frame may carry (RFC 6455 §5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;

    static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /** Whether RFC 6455 §5.2 defines {@code opcode}; the others are reserved. */
    static boolean isDefined(int opcode) {
        return opcode <= OP_BINARY || (opcode >= OP_CLOSE && opcode <= OP_PONG);
    }

    @Override
    public String toString() {
        return "Frame[fin=" + fin + ", rsv1=" + rsv1 + ", opcode=" + opcode + ", " + payload.length + " bytes]";
    }
}
