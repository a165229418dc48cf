/**
 * HTTP/1.1 for Starling: the {@link dev.starling.http.Handler} SPI that applications implement,
 * the request and response types they see, and the built-in {@code http1} protocol that serves
 * them over any stream transport; and WebSocket (RFC 6455): the
 * {@link dev.starling.http.websocket.WebSocketEndpoint} SPI, the upgrade from {@code http1}, and
 * the {@code websocket} protocol.
 *
 * <p>Applications ship a handler as a module with
 * {@code provides dev.starling.http.Handler with com.example.MyHandler;} and users select it by
 * its {@link dev.starling.http.Handler#name() name} with {@code --handler}; WebSocket endpoints
 * likewise with {@code provides dev.starling.http.websocket.WebSocketEndpoint with ...;} and
 * {@code --ws-endpoint}.
 *
 * @uses dev.starling.http.Handler
 * @uses dev.starling.http.websocket.WebSocketEndpoint
 * @provides dev.starling.process.Process
 * @provides dev.starling.http.Handler
 * @provides dev.starling.http.websocket.WebSocketEndpoint
 */
module dev.starling.http {
    requires transitive dev.starling.process; // Process, Connection and ProcessContext appear in our signatures

    exports dev.starling.http;
    exports dev.starling.http.websocket;

    uses dev.starling.http.Handler;
    uses dev.starling.http.websocket.WebSocketEndpoint;

    // Built-ins are found the same way as third-party plugins.
    provides dev.starling.process.Process with dev.starling.http.internal.Http1Process,
            dev.starling.http.internal.WebSocketProcess;
    provides dev.starling.http.Handler with dev.starling.http.internal.WelcomeHandler;
    provides dev.starling.http.websocket.WebSocketEndpoint with dev.starling.http.websocket.internal.EchoEndpoint;
}
