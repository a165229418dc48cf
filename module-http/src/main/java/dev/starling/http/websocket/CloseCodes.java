package dev.starling.http.websocket;

/**
 * The close codes of RFC 6455 §7.4.1 that Starling sends or reports, and the rule for which codes a
 * close frame may carry (§7.4.2 and the IANA registry).
 */
public final class CloseCodes {

    /** 1000: the purpose of the connection was fulfilled. */
    public static final int NORMAL = 1000;
    /** 1001: the server is stopping (a draining worker) or the client stopped answering pings. */
    public static final int GOING_AWAY = 1001;
    /** 1002: the peer broke the protocol (masking, reserved bits or opcodes, fragmentation, a bad close code). */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a message of a type the endpoint does not accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: reported only, never sent: the close frame carried no code. */
    public static final int NO_STATUS = 1005;
    /** 1006: reported only, never sent: the connection ended without a close frame. */
    public static final int ABNORMAL = 1006;
    /** 1007: a text message or close reason that is not UTF-8, or compressed data that does not inflate. */
    public static final int INVALID_DATA = 1007;
    /** 1008: a message that violates the endpoint's policy. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a message larger than {@code --ws-max-message}. */
    public static final int TOO_BIG = 1009;
    /** 1011: the endpoint failed while handling a message. */
    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {
    }

    /**
     * Whether a close frame may carry {@code code}: 1000-1003, 1007-1014 and the 3000-4999 range
     * of registered and private codes. 1004-1006 and 1015 are reserved and never sent.
     */
    public static boolean isSendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
