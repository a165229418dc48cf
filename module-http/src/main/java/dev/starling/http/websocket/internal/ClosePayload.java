package dev.starling.http.websocket.internal;

import dev.starling.http.websocket.CloseCodes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The body of a close frame (RFC 6455 §5.5.1): an optional 2-byte status code, then a UTF-8 reason.
 *
 * @param code   the status code, or {@link CloseCodes#NO_STATUS} for an empty body
 * @param reason the reason, possibly empty
 */
record ClosePayload(int code, String reason) {

    /** The most reason bytes that fit a control frame with a code. */
    static final int MAX_REASON_BYTES = Frame.MAX_CONTROL_PAYLOAD - 2;

    /**
     * Reads a received close frame's body.
     *
     * @throws ProtocolViolation 1002 for a 1-byte body or a code a close frame may not carry
     *                           (§7.4), 1007 for a reason that is not UTF-8 (§5.5.1)
     */
    static ClosePayload parse(byte[] body) throws ProtocolViolation {
        if (body.length == 0) {
            return new ClosePayload(CloseCodes.NO_STATUS, "");
        }
        if (body.length == 1) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "close frame body of 1 byte (RFC 6455 5.5.1)");
        }
        int code = (body[0] & 0xFF) << 8 | (body[1] & 0xFF);
        if (!CloseCodes.isSendable(code)) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code + " (RFC 6455 7.4)");
        }
        if (!Utf8Validator.isValid(body, 2, body.length)) {
            throw new ProtocolViolation(CloseCodes.INVALID_DATA, "close reason is not valid UTF-8 (RFC 6455 5.5.1)");
        }
        return new ClosePayload(code, new String(body, 2, body.length - 2, StandardCharsets.UTF_8));
    }

    /** The body to send: empty for {@link CloseCodes#NO_STATUS}, else the code and the reason cut to fit. */
    byte[] encode() {
        if (code == CloseCodes.NO_STATUS) {
            return new byte[0];
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = text.length;
        if (length > MAX_REASON_BYTES) {
            length = MAX_REASON_BYTES;
            while (length > 0 && (text[length] & 0xC0) == 0x80) {
                length--; // do not cut a character in two
            }
        }
        byte[] body = Arrays.copyOf(new byte[] {(byte) (code >>> 8), (byte) code}, 2 + length);
        System.arraycopy(text, 0, body, 2, length);
        return body;
    }
}
