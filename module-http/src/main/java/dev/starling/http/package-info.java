/**
 * What an HTTP application compiles against: implement {@link dev.starling.http.Handler}, read
 * a {@link dev.starling.http.Request}, return a {@link dev.starling.http.Response}.
 *
 * <pre>{@code
 * public final class HelloHandler implements Handler {
 *     public String name() { return "hello"; }
 *
 *     public Response handle(Request request) {
 *         String who = request.query().first("name").orElse("world");
 *         return Response.ok("Hello, " + who + "!");
 *     }
 * }
 * // module-info.java: provides dev.starling.http.Handler with com.example.HelloHandler;
 * // run: server --handler hello
 * }</pre>
 *
 * All types here are immutable and safe to share between threads, except the request body
 * stream, which belongs to the thread handling the request.
 */
package dev.starling.http;
