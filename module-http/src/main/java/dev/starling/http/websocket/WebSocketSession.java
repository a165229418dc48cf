package dev.starling.http.websocket;

import dev.starling.http.Request;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One open WebSocket connection, as its {@link WebSocketEndpoint} sees it.
 *
 * <p><b>Sending</b> is thread-safe: any thread may send at any time, and each message leaves whole
 * (messages of concurrent senders never interleave). A send blocks its caller until the message is
 * handed to the kernel, so there is no queue in the server that a slow client could fill: a client
 * that reads slowly slows down whoever sends to it (back-pressure), and memory stays bounded by
 * one message per sending thread. A send that has not finished after {@code --ws-idle-timeout}
 * (the client stopped reading) ends the connection and the send throws. Sending from inside a
 * callback is the normal way to answer, and is what the built-in {@code echo} endpoint does.
 *
 * <p>Sends after the session started closing (either side sent a close frame, or the connection
 * ended) throw {@link IOException}.
 */
public interface WebSocketSession {

    /** The connection id of the worker, for log lines. */
    long id();

    /** The upgrade request: its path, query, header fields and peer address. */
    Request request();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** The subprotocol the endpoint chose in the handshake, if any. */
    Optional<String> subprotocol();

    /** Whether the connection is open for sending: no close frame was sent or received yet. */
    boolean isOpen();

    /**
     * Sends a text message.
     *
     * @throws IOException when the session is closing or closed, or the connection failed
     */
    void sendText(CharSequence text) throws IOException;

    /**
     * Sends the remaining bytes of {@code data} as a binary message; the buffer's position is not
     * changed and it may be reused once this method returns.
     *
     * @throws IOException when the session is closing or closed, or the connection failed
     */
    void sendBinary(ByteBuffer data) throws IOException;

    /** Sends {@code data} as a binary message; as {@link #sendBinary(ByteBuffer)}. */
    default void sendBinary(byte[] data) throws IOException {
        sendBinary(ByteBuffer.wrap(data));
    }

    /**
     * Sends a ping with up to 125 bytes of application data; the client answers with a pong, which
     * the server takes as a sign of life and does not pass on.
     *
     * @throws IllegalArgumentException when {@code data} holds more than 125 bytes
     * @throws IOException              as {@link #sendText}
     */
    void sendPing(byte[] data) throws IOException;

    /**
     * Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame with {@code code} and
     * {@code reason}; the connection ends when the client answers, or at the latest a few seconds
     * later. Idempotent: once a close frame was sent, further calls do nothing.
     *
     * @param code   1000 (normal), 1001 (going away), 1003, 1007-1014, or 3000-4999
     * @param reason at most 123 bytes of UTF-8
     * @throws IllegalArgumentException for a code an endpoint may not send or a reason too long
     */
    void close(int code, String reason);

    /** {@link #close(int, String)} with 1000 (Normal Closure) and no reason. */
    default void close() {
        close(CloseCodes.NORMAL, "");
    }

    /** Keeps one object for this session (per-session state of an endpoint); visible to every thread. */
    void attach(Object attachment);

    /** The object last {@link #attach attached}, or {@code null}. */
    Object attachment();
}
