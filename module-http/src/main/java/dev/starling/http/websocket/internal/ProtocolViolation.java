package dev.starling.http.websocket.internal;

/**
 * The client broke RFC 6455 (or RFC 7692), or exceeded a limit: the session fails with
 * {@link #code()} (RFC 6455 §7.1.7). The message is the close reason sent to the client, so it
 * never quotes the client's bytes and stays within 123 bytes.
 */
final class ProtocolViolation extends Exception {

    private final int code;

    ProtocolViolation(int code, String reason) {
        super(reason, null, false, false); // control flow for a misbehaving client: no stack trace
        this.code = code;
    }

    int code() {
        return code;
    }
}
