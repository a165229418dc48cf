package dev.starling.http.internal;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;

/**
 * The {@code welcome} handler, the default: answers {@code GET} and {@code HEAD} for any path
 * with a small page naming the server and the pid of the worker process that answered, also
 * given as the {@code X-Worker-Pid} header (integration tests tell workers apart by it). Other
 * methods get {@code 405}.
 */
public final class WelcomeHandler implements Handler {

    private static final long PID = ProcessHandle.current().pid();

    // Built once: a Response is immutable, so every request shares it.
    private static final Response PAGE = Response.of(Status.OK)
            .withHeader("Content-Type", "text/html; charset=utf-8")
            .withHeader("X-Worker-Pid", Long.toString(PID))
            .withBody("""
                    <!DOCTYPE html>
                    <html><head><title>Starling</title></head>
                    <body><h1>Starling</h1><p>Served by worker pid %d</p></body></html>
                    """.formatted(PID));

    private static final Response NOT_ALLOWED = Response.of(Status.METHOD_NOT_ALLOWED, "405 Method Not Allowed\n")
            .withHeader("Allow", "GET, HEAD")
            .withHeader("X-Worker-Pid", Long.toString(PID));

    @Override
    public String name() {
        return "welcome";
    }

    /** It answers with one of two prebuilt responses: nothing waits, so the event loop may call it. */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public Response handle(Request request) {
        return switch (request.method()) {
            case "GET", "HEAD" -> PAGE;
            default -> NOT_ALLOWED;
        };
    }
}
