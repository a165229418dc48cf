package dev.starling.http.internal;

import dev.starling.http.Headers;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.process.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Another protocol that an HTTP/1.1 connection can switch to (RFC 9110 §7.8), such as WebSocket.
 * The connection loop asks {@link #wants} about every request, and hands the connection over when
 * it answers yes. Implementations are shared by all connections of a worker.
 */
public interface ConnectionUpgrade {

    /**
     * Whether this request is for us; called for every request on the connection's thread, so it
     * must be cheap and allocate nothing for requests that are not.
     *
     * @param path    the request's decoded path
     * @param headers its header fields
     */
    boolean wants(String path, Headers headers);

    /**
     * Answers the request that {@link #wants} chose: either refuses it, or writes the
     * {@code 101 Switching Protocols} response itself and serves the connection with the new
     * protocol until it ends. Called on the connection's thread.
     *
     * @param request    the request, with an empty body
     * @param connection the connection, for the new protocol to own from now on
     * @param readAhead  bytes already read past the request head: the start of the new protocol's
     *                   stream, to be consumed before reading from {@code connection}
     * @return the refusal the HTTP layer sends before it closes the connection, or {@code null}
     *         when the connection was taken over and has ended (the caller just closes it)
     * @throws IOException when the connection fails
     */
    Response takeOver(Request request, Connection connection, ByteBuffer readAhead) throws IOException;
}
