/**
 * HTTP/1.1 for Starling: the {@link dev.starling.http.Handler} SPI that applications implement,
 * the request and response types they see, and the built-in {@code http1} protocol that serves
 * them over any stream transport.
 *
 * <p>Applications ship a handler as a module with
 * {@code provides dev.starling.http.Handler with com.example.MyHandler;} and users select it by
 * its {@link dev.starling.http.Handler#name() name} with {@code --handler}.
 *
 * @uses dev.starling.http.Handler
 * @provides dev.starling.process.Process
 * @provides dev.starling.http.Handler
 */
module dev.starling.http {
    requires transitive dev.starling.process; // Process, Connection and ProcessContext appear in our signatures

    exports dev.starling.http;

    uses dev.starling.http.Handler;

    // Built-ins are found the same way as third-party plugins.
    provides dev.starling.process.Process with dev.starling.http.internal.Http1Process;
    provides dev.starling.http.Handler with dev.starling.http.internal.WelcomeHandler;
}
