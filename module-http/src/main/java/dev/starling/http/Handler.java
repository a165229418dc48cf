package dev.starling.http;

import java.util.Locale;

/**
 * What an application answers to an HTTP request. Found with {@link java.util.ServiceLoader}:
 * a plugin module declares {@code provides dev.starling.http.Handler with com.example.MyHandler;}
 * and users select it by {@link #name()} with {@code --handler}.
 *
 * <p><b>Threading.</b> One instance serves every connection of a worker process, and
 * {@link #handle} is called concurrently, each call on the virtual thread of the connection the
 * request arrived on. Blocking (on the request body, a database, a file) is expected and cheap.
 * A handler that declares itself {@link #nonBlocking() non-blocking} may instead be called on
 * the worker's event loop, one call at a time.
 * Providers need a public no-arg constructor; the server may instantiate every provider just
 * to read its name, so expensive set-up belongs in a lazily initialised field.
 *
 * <p><b>Outcomes of {@link #handle}.</b>
 * <ul>
 *   <li>A returned {@link Response} is sent as it is, except that the server owns framing:
 *       it adds {@code Date}, {@code Server}, {@code Content-Length} or
 *       {@code Transfer-Encoding: chunked}, and {@code Connection} as the request and the
 *       worker's state require. For {@code HEAD} requests and {@code 204}/{@code 304} responses
 *       the body is not sent.</li>
 *   <li>A thrown exception, or a {@code null} response, becomes a {@code 500} with a generic
 *       body that reveals nothing about the exception; the exception is logged at
 *       {@code WARNING} with the connection id.</li>
 *   <li>When the exception comes from reading a malformed, too large or timed-out request
 *       body, the client gets that error instead ({@code 400}, {@code 413} or {@code 408})
 *       and the connection is closed.</li>
 * </ul>
 * Whatever part of the request body the handler does not read is discarded by the server.
 */
@FunctionalInterface
public interface Handler {

    /**
     * Answers one request.
     *
     * @param request the request; its body stream is valid only until this method returns
     *                (or, for a streamed response, until the response body is complete)
     * @return the response to send, never {@code null}
     * @throws Exception any failure; the client receives a {@code 500} that does not reveal it
     */
    Response handle(Request request) throws Exception;

    /**
     * The short name users select this handler by with {@code --handler}, e.g.
     * {@code "welcome"}; stable once released, and unique among the handlers on the module
     * path. Providers override it; the default is the class's simple name in lower case
     * ({@code MyHandler} gives {@code "myhandler"}).
     */
    default String name() {
        return getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@link #handle} never blocks, so the server may call it on the event loop that
     * watches the connections, as a Netty or Undertow handler runs on its I/O thread. A request
     * served there costs no thread switch: on a keep-alive connection the same thread reads it,
     * answers it and goes on watching. The default is {@code false}: every call then runs on its
     * connection's virtual thread, where blocking is cheap.
     *
     * <p>Return {@code true} only if {@code handle} returns promptly without waiting for
     * anything: no I/O (files, sockets, a database, a log that writes synchronously), no locks
     * held by code that blocks, no sleeping. One call that blocks delays every connection of the
     * worker while it waits. The server calls it on the connection's thread anyway when the
     * request has a body, asks for an upgrade, or the access log is on; and a
     * {@link Response.Body.Streamed}, {@link Response.Body.File} or {@link Response.Body.Written}
     * body is always sent from the connection's thread, so such responses stay allowed.
     */
    default boolean nonBlocking() {
        return false;
    }
}
