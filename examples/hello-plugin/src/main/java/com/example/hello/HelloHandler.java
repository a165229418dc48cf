package com.example.hello;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Router;
import dev.starling.http.Status;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code hello} handler ({@code server --plugins DIR --handler hello}):
 * <ul>
 *   <li>{@code GET /hello/{name}?greeting=Hi}: a JSON greeting; the name comes from the path,
 *       the optional greeting from the query (default {@value #GREETING});</li>
 *   <li>{@code GET /count/{n}}: the numbers 1 to n, one a line, streamed as they are
 *       written (chunked), at most {@value #MAX_COUNT}.</li>
 * </ul>
 * Anything else gets the router's 404 or 405.
 */
public final class HelloHandler implements Handler {

    /** The greeting unless the query gives one. */
    static final String GREETING = "Hello";

    static final int MAX_COUNT = 100_000;

    // A Router is itself a Handler; built once, it is immutable and shared by all requests.
    private final Router router = Router.builder()
            .get("/hello/{name}", HelloHandler::greet)
            .get("/count/{n}", HelloHandler::count)
            .build();

    @Override
    public String name() {
        return "hello";
    }

    @Override
    public Response handle(Request request) throws Exception {
        return router.handle(request);
    }

    private static Response greet(Request request) {
        String name = request.pathParameter("name");
        String greeting = request.query().first("greeting").orElse(GREETING);
        String json = "{\"greeting\":" + Json.string(greeting + ", " + name + "!")
                + ",\"name\":" + Json.string(name)
                + ",\"pid\":" + ProcessHandle.current().pid() + "}\n";
        return Response.of(Status.OK)
                .withHeader("Content-Type", "application/json")
                .withBody(json);
    }

    private static Response count(Request request) {
        int n;
        try {
            n = Integer.parseInt(request.pathParameter("n"));
        } catch (NumberFormatException e) {
            return Response.of(Status.BAD_REQUEST, "n must be a number\n");
        }
        if (n < 0 || n > MAX_COUNT) {
            return Response.of(Status.BAD_REQUEST, "n must be between 0 and " + MAX_COUNT + "\n");
        }
        // Written while the response is sent: the body never sits in memory whole.
        return Response.of(Status.OK)
                .withHeader("Content-Type", "text/plain; charset=utf-8")
                .withBody((OutputStream out) -> {
                    for (int i = 1; i <= n; i++) {
                        out.write((i + "\n").getBytes(StandardCharsets.US_ASCII));
                        if (i % 1000 == 0) {
                            out.flush(); // one chunk per thousand lines
                        }
                    }
                });
    }
}
