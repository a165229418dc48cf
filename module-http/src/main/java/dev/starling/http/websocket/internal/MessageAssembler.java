package dev.starling.http.websocket.internal;

import dev.starling.http.websocket.CloseCodes;
import java.util.Arrays;

/**
 * Joins data frames into messages (RFC 6455 §5.4) and enforces the rules across frames: a
 * continuation needs an unfinished message and a new message needs none; text is valid UTF-8,
 * checked as fragments arrive so that an invalid byte fails at once (§8.1); a message, compressed
 * or inflated, is at most the limit (1009); RSV1 marks a compressed message on its first frame only
 * (RFC 7692 §6). One per connection, not thread-safe.
 */
final class MessageAssembler {

    /**
     * A complete data message.
     *
     * @param text whether it is a text message (its bytes are valid UTF-8)
     * @param data the message's bytes, owned by the receiver
     */
    record Message(boolean text, byte[] data) {
    }

    private final int maxMessage;
    private final PerMessageDeflate deflate; // null when not negotiated
    private final Utf8Validator utf8 = new Utf8Validator();

    private boolean inMessage;
    private boolean text;
    private boolean compressed;
    private byte[] parts = new byte[0];
    private int size;

    MessageAssembler(int maxMessage, PerMessageDeflate deflate) {
        this.maxMessage = maxMessage;
        this.deflate = deflate;
    }

    /**
     * Takes one data frame (opcode continuation, text or binary).
     *
     * @return the message this frame completes, or {@code null} when more fragments must follow
     * @throws ProtocolViolation when the frame breaks a rule
     */
    Message accept(Frame frame) throws ProtocolViolation {
        byte[] payload = frame.payload();
        if (frame.opcode() == Frame.OP_CONTINUATION) {
            if (!inMessage) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "continuation frame without a message to continue (RFC 6455 5.4)");
            }
            if (frame.rsv1()) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "RSV1 set on a continuation frame (RFC 7692 6.1)");
            }
        } else {
            if (inMessage) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "new message before the fragmented one ended (RFC 6455 5.4)");
            }
            inMessage = true;
            text = frame.opcode() == Frame.OP_TEXT;
            compressed = frame.rsv1();
            size = 0;
        }
        if ((long) size + payload.length > maxMessage) {
            throw new ProtocolViolation(CloseCodes.TOO_BIG, "message over " + maxMessage + " bytes (--ws-max-message)");
        }
        if (text && !compressed && !utf8.feed(payload, 0, payload.length)) {
            throw invalidText();
        }
        byte[] whole;
        if (frame.fin() && size == 0) {
            whole = payload; // not fragmented: no copy
        } else {
            append(payload);
            if (!frame.fin()) {
                return null;
            }
            whole = Arrays.copyOf(parts, size);
            if (parts.length > 64 * 1024) {
                parts = new byte[0]; // do not keep a large buffer for the life of the session
            }
        }
        inMessage = false;
        size = 0;
        if (compressed) {
            whole = deflate.inflate(whole, whole.length, maxMessage);
            if (text && !Utf8Validator.isValid(whole, 0, whole.length)) {
                throw invalidText();
            }
        } else if (text && !utf8.complete()) {
            throw invalidText();
        }
        return new Message(text, whole);
    }

    private void append(byte[] payload) {
        if (size + payload.length > parts.length) {
            parts = Arrays.copyOf(parts, Math.max(size + payload.length, Math.min(maxMessage, Math.max(1024, parts.length * 2))));
        }
        System.arraycopy(payload, 0, parts, size, payload.length);
        size += payload.length;
    }

    private static ProtocolViolation invalidText() {
        return new ProtocolViolation(CloseCodes.INVALID_DATA, "text message is not valid UTF-8 (RFC 6455 8.1)");
    }
}
