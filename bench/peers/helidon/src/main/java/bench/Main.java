package bench;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import java.nio.charset.StandardCharsets;

/** Helidon 4 SE (its own virtual-thread HTTP/1.1 server), with two plain routes and defaults otherwise. */
public final class Main {

    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final String MESSAGE = "Hello, World!";
    private static final Header TEXT = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/plain");
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(routing -> routing
                        .get("/", (req, res) -> res.header(TEXT).send(HELLO))
                        .get("/json", (req, res) -> res.header(JSON)
                                .send(("{\"message\":\"" + MESSAGE + "\"}").getBytes(StandardCharsets.UTF_8))))
                .build()
                .start();
        System.out.println("helidon listening on 127.0.0.1:" + server.port());
    }
}
