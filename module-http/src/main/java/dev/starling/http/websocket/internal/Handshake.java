package dev.starling.http.websocket.internal;

import dev.starling.http.Headers;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.http.Version;
import dev.starling.http.internal.Ascii;
import dev.starling.http.websocket.WebSocketEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The server's side of the opening handshake (RFC 6455 §4.2): checks an upgrade request and makes
 * either the 101 response or the refusal. Stateless.
 */
final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What the handshake came to. */
    sealed interface Outcome {
    }

    /** The client gets {@code response} and the connection closes. */
    record Refused(Response response) implements Outcome {
    }

    /**
     * The connection becomes a WebSocket.
     *
     * @param response    the 101 response, ready to write
     * @param subprotocol the endpoint's choice
     * @param deflate     the permessage-deflate parameters, when agreed
     */
    record Accepted(byte[] response, Optional<String> subprotocol, Optional<PerMessageDeflate.Agreement> deflate)
            implements Outcome {
    }

    private Handshake() {
    }

    /** Checks {@code request} (already known to ask for {@code Upgrade: websocket}) for {@code endpoint}. */
    static Outcome answer(Request request, WebSocketEndpoint endpoint, WebSocketSettings settings) {
        Headers headers = request.headers();
        if (!request.method().equals("GET")) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake must be a GET (RFC 6455 4.1)");
        }
        if (request.version() != Version.HTTP_1_1) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake needs HTTP/1.1 (RFC 6455 4.1)");
        }
        if (headers.all("Connection").stream().noneMatch(v -> Ascii.listContains(v, "upgrade"))) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake needs Connection: Upgrade (RFC 6455 4.2.1)");
        }
        List<String> versions = headers.all("Sec-WebSocket-Version");
        if (versions.isEmpty()) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake needs Sec-WebSocket-Version (RFC 6455 4.2.1)");
        }
        if (versions.size() != 1 || !versions.getFirst().trim().equals("13")) {
            return new Refused(Response.of(Status.of(426), "426 Upgrade Required: this server speaks WebSocket version 13\n")
                    .withHeader("Sec-WebSocket-Version", "13"));
        }
        List<String> keys = headers.all("Sec-WebSocket-Key");
        if (keys.size() != 1 || !isValidKey(keys.getFirst().trim())) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake needs one Sec-WebSocket-Key of 16 bytes in base64"
                    + " (RFC 6455 4.2.1)");
        }
        if (headers.contains("Content-Length") || headers.contains("Transfer-Encoding")) {
            return refuse(Status.BAD_REQUEST, "a WebSocket handshake has no body");
        }
        if (!endpoint.acceptsOrigin(headers.first("Origin"), request)) {
            return refuse(Status.FORBIDDEN, "origin not allowed (RFC 6455 10.2)");
        }
        List<String> offered = new ArrayList<>();
        for (String field : headers.all("Sec-WebSocket-Protocol")) {
            for (String protocol : field.split(",")) {
                if (!protocol.isBlank()) {
                    offered.add(protocol.trim());
                }
            }
        }
        Optional<String> subprotocol = endpoint.subprotocol(List.copyOf(offered), request);
        if (subprotocol.isPresent() && !offered.contains(subprotocol.get())) {
            throw new IllegalStateException("endpoint '" + endpoint.name() + "' chose subprotocol '" + subprotocol.get()
                    + "', which the client did not offer");
        }
        Optional<PerMessageDeflate.Agreement> deflate = settings.deflate()
                ? PerMessageDeflate.negotiate(headers.all("Sec-WebSocket-Extensions"))
                : Optional.empty();
        StringBuilder response = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(accept(keys.getFirst().trim())).append("\r\n");
        subprotocol.ifPresent(p -> response.append("Sec-WebSocket-Protocol: ").append(p).append("\r\n"));
        deflate.ifPresent(d -> response.append("Sec-WebSocket-Extensions: ").append(d.responseValue()).append("\r\n"));
        response.append("\r\n");
        return new Accepted(response.toString().getBytes(StandardCharsets.ISO_8859_1), subprotocol, deflate);
    }

    /** {@code Sec-WebSocket-Accept} for {@code key} (RFC 6455 4.2.2 item 5.4). */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
    }

    private static boolean isValidKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private static Refused refuse(Status status, String detail) {
        return new Refused(Response.of(status, status.code() + " " + status.reason() + ": " + detail + "\n"));
    }
}
