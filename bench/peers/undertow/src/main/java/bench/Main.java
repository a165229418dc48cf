package bench;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Undertow core, one I/O thread, answering on the I/O thread (no dispatch to workers), with
 * pipelined responses buffered into one write (BUFFER_PIPELINED_DATA), as Undertow advises
 * for pipelining clients.
 */
public final class Main {

    private static final ByteBuffer HELLO = ByteBuffer.wrap("Hello, World!".getBytes(StandardCharsets.US_ASCII));
    private static final String MESSAGE = "Hello, World!";

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(1)
                .setServerOption(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .setHandler(Main::handle)
                .build();
        server.start();
        System.out.println("undertow listening on 127.0.0.1:" + port + " (1 I/O thread)");
    }

    private static void handle(HttpServerExchange exchange) {
        switch (exchange.getRequestPath()) {
            case "/" -> {
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                exchange.getResponseSender().send(HELLO.duplicate());
            }
            case "/json" -> {
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                exchange.getResponseSender().send(
                        ByteBuffer.wrap(("{\"message\":\"" + MESSAGE + "\"}").getBytes(StandardCharsets.UTF_8)));
            }
            default -> {
                exchange.setStatusCode(404);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                exchange.getResponseSender().send("Not Found");
            }
        }
    }
}
