package dev.starling.bench.hello;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;

/**
 * {@code GET /} answers {@code Hello, World!} as text/plain; {@code GET /json} answers
 * {@code {"message":"Hello, World!"}} as application/json, its body built per request as in
 * the peers; anything else is 404. Written against the public Handler API only, as any user's
 * handler would be.
 */
public final class HelloHandler implements Handler {

    private static final String MESSAGE = "Hello, World!";

    // A Response is immutable: the plaintext one is built once and shared.
    private static final Response HELLO = Response.of(Status.OK)
            .withHeader("Content-Type", "text/plain")
            .withBody(MESSAGE);
    private static final Response JSON = Response.of(Status.OK).withHeader("Content-Type", "application/json");
    private static final Response NOT_FOUND = Response.of(Status.NOT_FOUND, "Not Found");

    @Override
    public String name() {
        return "bench-hello";
    }

    /** It only picks a prebuilt response (or builds a small one): nothing waits. */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public Response handle(Request request) {
        return switch (request.path()) {
            case "/" -> HELLO;
            case "/json" -> JSON.withBody("{\"message\":\"" + MESSAGE + "\"}");
            default -> NOT_FOUND;
        };
    }
}
