package dev.starling.http.websocket;

import dev.starling.http.Request;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What an application does with WebSocket connections (RFC 6455). Found with
 * {@link java.util.ServiceLoader}, as {@link dev.starling.http.Handler} is: a plugin module declares
 * {@code provides dev.starling.http.websocket.WebSocketEndpoint with com.example.ChatEndpoint;} and
 * the operator mounts it at a path with {@code --ws-endpoint /chat=chat} (or {@code --ws-endpoint chat}
 * for its own {@link #path()}). The {@code websocket} process mounts the built-in {@code echo}
 * endpoint at {@code /} unless told otherwise.
 *
 * <p><b>Handshake.</b> A {@code GET} to a mounted path that asks for {@code Upgrade: websocket}
 * is checked by the server (version 13, a valid key, {@code Connection: Upgrade}: otherwise 400, or
 * 426 for another version), then by {@link #acceptsOrigin} (false: 403), then
 * {@link #subprotocol} picks the subprotocol; the server answers 101 and calls {@link #onOpen}.
 * A request to a mounted path without {@code Upgrade} goes to the HTTP handler as usual.
 *
 * <p><b>Threading.</b> One instance serves every connection of a worker process. The callbacks of
 * one session are called one after another, in the order the frames arrived, on that connection's
 * own virtual thread; callbacks of different sessions run concurrently. While a callback runs, the
 * session reads nothing more from the client: blocking in a callback slows down that client only
 * (back-pressure), never the others. Keep per-session state in
 * {@link WebSocketSession#attach(Object)}.
 *
 * <p><b>Failures.</b> An exception thrown by a callback closes the session with 1011 (Internal
 * Error) after it is logged at {@code WARNING} with the connection id; the client learns nothing
 * about it. Protocol errors by the client are answered by the server (1002, 1007, 1009) and end
 * with {@link #onClose}; the endpoint never sees a malformed message.
 */
public interface WebSocketEndpoint {

    /**
     * The short name the operator mounts this endpoint by, e.g. {@code "echo"}; stable once
     * released and unique among the endpoints on the module path. The default is the class's
     * simple name in lower case.
     */
    default String name() {
        return getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * Where the endpoint is mounted when the operator names it without a path: an absolute path
     * matched exactly against the request's decoded path. The default is {@code "/" + name()}.
     */
    default String path() {
        return "/" + name();
    }

    /**
     * Decides whether a browser page from {@code origin} may connect (RFC 6455 §10.2: browsers send
     * the page's origin; other clients may send none). Called on the connection's thread before the
     * handshake is answered; false answers 403. The default accepts every origin, so an endpoint
     * that acts on a user's cookies must override it.
     *
     * @param origin  the {@code Origin} field, empty when the client sent none
     * @param request the upgrade request, for its {@code Host} and other fields
     */
    default boolean acceptsOrigin(Optional<String> origin, Request request) {
        return true;
    }

    /**
     * Picks the subprotocol (RFC 6455 §1.9) from those the client offered in
     * {@code Sec-WebSocket-Protocol}, in the client's order of preference. Return one of
     * {@code offered} to answer with it, or empty to answer with none (the client then decides
     * whether to go on). A value not among {@code offered} fails the handshake with 500.
     * The default picks none.
     */
    default Optional<String> subprotocol(List<String> offered, Request request) {
        return Optional.empty();
    }

    /** The handshake is done: {@code session} may send from now on, from any thread. */
    default void onOpen(WebSocketSession session) throws Exception {
    }

    /** A complete text message, reassembled from its fragments and checked to be valid UTF-8. */
    default void onText(WebSocketSession session, String text) throws Exception {
    }

    /**
     * A complete binary message, reassembled from its fragments (and inflated if compressed); the
     * array belongs to the endpoint.
     */
    default void onBinary(WebSocketSession session, byte[] data) throws Exception {
    }

    /**
     * The session ended; called exactly once per opened session, last, on the connection's thread.
     *
     * @param code   the close code the client sent, or the one the server closed with (1001 when the
     *               worker stops or the client stopped answering pings, 1002/1007/1009 for a client's
     *               protocol error); 1005 when the client's close frame had no code, 1006 when the
     *               connection ended without a close frame
     * @param reason the reason that came with the code, possibly empty
     */
    default void onClose(WebSocketSession session, int code, String reason) throws Exception {
    }
}
