package bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The JDK's com.sun.net.httpserver, each exchange handled on a new virtual thread. */
public final class Main {

    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final String MESSAGE = "Hello, World!";

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", Main::handle);
        server.start();
        System.out.println("jdk httpserver " + Runtime.version() + " listening on 127.0.0.1:" + port + " (virtual threads)");
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            String type;
            int status = 200;
            if (path.equals("/")) {
                body = HELLO;
                type = "text/plain";
            } else if (path.equals("/json")) {
                body = ("{\"message\":\"" + MESSAGE + "\"}").getBytes(StandardCharsets.UTF_8);
                type = "application/json";
            } else {
                body = "Not Found".getBytes(StandardCharsets.US_ASCII);
                type = "text/plain";
                status = 404;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Server", "jdk");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
