package dev.starling.http.websocket.internal;

import dev.starling.http.websocket.CloseCodes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692) of one session: raw DEFLATE ({@code nowrap}) with
 * the empty-block tail {@code 00 00 FF FF} removed from each compressed message and added back
 * before inflating (§7.2.1, §7.2.2). Inflation stops at the message limit, so a small compressed
 * message cannot expand into a large one (a "zip bomb" fails with 1009).
 *
 * <p>{@link #compress} runs under the session's send lock, {@link #inflate} on the connection's
 * thread: the two directions have separate state. {@link #end} frees the native memory zlib holds
 * (about 300 KiB per session for both directions).
 */
final class PerMessageDeflate {

    static final String NAME = "permessage-deflate";
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /**
     * The parameters agreed in the handshake (RFC 7692 §7.1).
     *
     * @param serverNoContextTakeover the server resets its compressor after each message
     * @param clientNoContextTakeover the client resets its compressor after each message, so the
     *                                server may reset its decompressor too
     * @param serverMaxWindowBits     whether the client asked for {@code server_max_window_bits}
     *                                (accepted only as 15, the window java.util.zip always uses)
     */
    record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, boolean serverMaxWindowBits) {

        /** The {@code Sec-WebSocket-Extensions} value of the handshake response. */
        String responseValue() {
            return NAME + (serverNoContextTakeover ? "; server_no_context_takeover" : "")
                    + (clientNoContextTakeover ? "; client_no_context_takeover" : "")
                    + (serverMaxWindowBits ? "; server_max_window_bits=15" : "");
        }
    }

    private final Agreement agreement;
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final Inflater inflater = new Inflater(true);
    private byte[] out = new byte[1024];

    PerMessageDeflate(Agreement agreement) {
        this.agreement = agreement;
    }

    /**
     * The first acceptable permessage-deflate offer among the {@code Sec-WebSocket-Extensions}
     * values (RFC 7692 §5, §7.1). An offer with an unknown or repeated parameter, a bad value, or
     * {@code server_max_window_bits} below 15 (which java.util.zip cannot honour) is declined.
     */
    static Optional<Agreement> negotiate(List<String> extensionFields) {
        for (String field : extensionFields) {
            for (String offer : field.split(",")) {
                String[] parts = offer.split(";");
                if (parts[0].trim().equalsIgnoreCase(NAME)) {
                    Optional<Agreement> agreed = accept(Arrays.copyOfRange(parts, 1, parts.length));
                    if (agreed.isPresent()) {
                        return agreed;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Agreement> accept(String[] parameters) {
        Set<String> seen = new HashSet<>();
        boolean serverNoTakeover = false;
        boolean clientNoTakeover = false;
        boolean serverBits = false;
        for (String parameter : parameters) {
            int eq = parameter.indexOf('=');
            String name = (eq < 0 ? parameter : parameter.substring(0, eq)).trim().toLowerCase(java.util.Locale.ROOT);
            String value = eq < 0 ? null : parameter.substring(eq + 1).trim().replace("\"", "");
            if (!seen.add(name)) {
                return Optional.empty();
            }
            switch (name) {
                case "server_no_context_takeover" -> serverNoTakeover = true;
                case "client_no_context_takeover" -> clientNoTakeover = true;
                case "server_max_window_bits" -> {
                    if (!"15".equals(value)) {
                        return Optional.empty(); // a smaller window, or a bad value: decline this offer
                    }
                    serverBits = true;
                }
                case "client_max_window_bits" -> {
                    // Any client window up to 15 bits inflates with ours; the value needs only to be valid.
                    if (value != null && !windowBits(value)) {
                        return Optional.empty();
                    }
                }
                default -> {
                    return Optional.empty();
                }
            }
            if (value != null && !name.endsWith("_window_bits")) {
                return Optional.empty();
            }
        }
        return Optional.of(new Agreement(serverNoTakeover, clientNoTakeover, serverBits));
    }

    private static boolean windowBits(String value) {
        return value.matches("[0-9]{1,2}") && Integer.parseInt(value) >= 8 && Integer.parseInt(value) <= 15;
    }

    /** The compressed form of {@code payload}'s remaining bytes, without the tail; the buffer is not changed. */
    ByteBuffer compress(ByteBuffer payload) {
        deflater.setInput(payload.duplicate());
        int length = 0;
        while (true) {
            length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
            if (length < out.length) {
                break; // SYNC_FLUSH filled less than the space given: all input is out
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (agreement.serverNoContextTakeover()) {
            deflater.reset();
        }
        // A sync flush always ends with the empty stored block 00 00 FF FF, which is not sent.
        byte[] message = Arrays.copyOf(out, Math.max(0, length - TAIL.length));
        if (out.length > 64 * 1024) {
            out = new byte[1024]; // do not keep a large buffer for the life of the session
        }
        return ByteBuffer.wrap(message);
    }

    /**
     * The inflated form of a compressed message.
     *
     * @throws ProtocolViolation 1009 when it inflates past {@code max} bytes, 1007 when it is not DEFLATE data
     */
    byte[] inflate(byte[] compressed, int length, int max) throws ProtocolViolation {
        if (inflater.finished()) {
            inflater.reset(); // the previous message ended the DEFLATE stream with a final block
        }
        byte[] input = Arrays.copyOf(compressed, length + TAIL.length);
        System.arraycopy(TAIL, 0, input, length, TAIL.length);
        inflater.setInput(input);
        byte[] result = new byte[Math.min(Math.max(256, length * 4), max + 1)];
        int size = 0;
        try {
            while (true) {
                int n = inflater.inflate(result, size, result.length - size);
                size += n;
                if (size > max) {
                    throw new ProtocolViolation(CloseCodes.TOO_BIG, "message inflates over " + max + " bytes (--ws-max-message)");
                }
                if (n == 0 && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary())) {
                    break;
                }
                if (size == result.length) {
                    result = Arrays.copyOf(result, (int) Math.min((long) result.length * 2, max + 1L));
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolViolation(CloseCodes.INVALID_DATA, "compressed message is not valid DEFLATE data (RFC 7692 7.2.2)");
        }
        if (inflater.needsDictionary()) {
            throw new ProtocolViolation(CloseCodes.INVALID_DATA, "compressed message is not valid DEFLATE data (RFC 7692 7.2.2)");
        }
        if (agreement.clientNoContextTakeover()) {
            inflater.reset();
        }
        return size == result.length ? result : Arrays.copyOf(result, size);
    }

    /** Frees zlib's native memory; the instance is unusable afterwards. */
    void end() {
        deflater.end();
        inflater.end();
    }
}
