package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP engine's flags in a real server, over raw sockets. */
class HttpEngineTest {

    @RegisterExtension
    final Servers servers = new Servers();

    private static HttpExchange exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return HttpExchange.parse(HttpExchange.readAll(socket.getInputStream()));
        }
    }

    @Test
    void accessLogWritesOneLineWithThePropagatedRequestId() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--access-log");
        HttpExchange r = exchange(server.port(), "GET /hello?x=1 HTTP/1.1\r\nHost: h\r\nX-Request-Id: it-access-7\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals("it-access-7", r.headers().get("x-request-id"));
        ServerProcess.await(Duration.ofSeconds(10), () -> server.output().contains("id=it-access-7"),
                "an access log line with the request id");
        assertTrue(server.output().contains("\"GET /hello?x=1 HTTP/1.1\" 200 "), server.output());
    }

    @Test
    void withoutAccessLogNoRequestIsLoggedButTheIdIsStillEchoed() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1");
        HttpExchange r = exchange(server.port(), "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertFalse(r.headers().getOrDefault("x-request-id", "").isEmpty(), r.headers().toString());
        assertFalse(server.output().contains(" ms id="), server.output());
    }

    @Test
    void slowlorisGets408AndACloseAfterTheHeaderTimeout() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--header-timeout", "1");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: h\r\n".getBytes(StandardCharsets.US_ASCII));
            // A header line every 200 ms: each read is quick, the head never ends.
            Thread dripper = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        Thread.sleep(200);
                        out.write(("X-Drip-" + i + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException | InterruptedException e) {
                    // The server closed on us, or the test ended: either way the drip stops.
                }
            });
            HttpExchange r = HttpExchange.parse(HttpExchange.readAll(socket.getInputStream()));
            dripper.interrupt();
            assertEquals(408, r.status());
            assertEquals("close", r.headers().get("connection"));
            assertTrue(r.body().contains("(--header-timeout)"), r.body());
        }
    }
}
