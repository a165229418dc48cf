package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --request-timeout} and {@code --send-timeout} end one exchange or one connection
 * inside the worker that serves it, with a log line naming the request and its id.
 */
class TimeoutsTest {

    @TempDir
    static Path modules;

    private static Path sleep;
    private static Path bulk;
    private static Path drip;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compileTheHandlers() throws Exception {
        sleep = HandlerModules.sleepHandler(modules);
        bulk = HandlerModules.jar(modules, "bulk", Map.of(
                "module-info.java", """
                        module test.bulk {
                            requires dev.starling.http;
                            provides dev.starling.http.Handler with test.bulk.BulkHandler;
                        }
                        """,
                "test/bulk/BulkHandler.java", """
                        package test.bulk;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;
                        import dev.starling.http.Status;

                        /** Answers ?mb=N megabytes of zeros, streamed. */
                        public final class BulkHandler implements Handler {
                            @Override public String name() { return "bulk"; }

                            @Override public Response handle(Request request) {
                                long mb = Long.parseLong(request.query().first("mb").orElse("1"));
                                return Response.of(Status.OK).withBody(out -> {
                                    byte[] chunk = new byte[1 << 16];
                                    for (long i = 0; i < mb * 16; i++) {
                                        out.write(chunk);
                                    }
                                });
                            }
                        }
                        """));
    }

    /** A handler that streams {@code ?n=} lines, one every {@code ?ms=} milliseconds: a stream, as Server-Sent Events are. */
    private static Path dripHandler() throws Exception {
        if (drip == null) {
            drip = HandlerModules.jar(modules, "drip", Map.of(
                    "module-info.java", """
                            module test.drip {
                                requires dev.starling.http;
                                provides dev.starling.http.Handler with test.drip.DripHandler;
                            }
                            """,
                    "test/drip/DripHandler.java", """
                            package test.drip;

                            import dev.starling.http.Handler;
                            import dev.starling.http.Request;
                            import dev.starling.http.Response;
                            import dev.starling.http.Status;
                            import java.nio.charset.StandardCharsets;

                            public final class DripHandler implements Handler {
                                @Override public String name() { return "drip"; }

                                @Override public Response handle(Request request) {
                                    int n = Integer.parseInt(request.query().first("n").orElse("1"));
                                    long ms = Long.parseLong(request.query().first("ms").orElse("100"));
                                    return Response.of(Status.OK).withBody(out -> {
                                        for (int i = 0; i < n; i++) {
                                            out.write(("data: " + i + "\\n").getBytes(StandardCharsets.US_ASCII));
                                            out.flush();
                                            try {
                                                Thread.sleep(ms);
                                            } catch (InterruptedException e) {
                                                throw new java.io.InterruptedIOException("interrupted");
                                            }
                                        }
                                    });
                                }
                            }
                            """));
        }
        return drip;
    }

    @Test
    void aStreamThatKeepsSendingOutlivesTheRequestTimeoutOnTheSameWorker() throws Exception {
        ServerProcess server = servers.start(List.of(dripHandler()), "--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--handler", "drip", "--request-timeout", "1");
        long worker = server.workerPids().getFirst();
        // Ten lines 300 ms apart: 3 s in all, three times the request timeout, with progress every 300 ms.
        HttpExchange streamed = HttpExchange.get(server.port(), "/?n=10&ms=300");
        assertEquals(200, streamed.status(), streamed.toString());
        for (int i = 0; i < 10; i++) {
            assertTrue(streamed.body().contains("data: " + i + "\n"), "line " + i + " arrived: " + streamed.body());
        }
        assertEquals(List.of(worker), server.workerPids(), "the same worker serves on");
        assertFalse(server.output().contains("--request-timeout); ending"), server.output());
    }

    @Test
    void anExchangeWithoutProgressGets503WithItsRequestIdAndOnlyThatConnectionEnds() throws Exception {
        ServerProcess server = servers.start(List.of(sleep), "--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--handler", "sleep", "--request-timeout", "1");
        long worker = server.workerPids().getFirst();
        long start = System.nanoTime();
        HttpExchange stuck;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /?ms=600000 HTTP/1.1\r\nHost: h\r\nX-Request-Id: slow-one\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            stuck = HttpExchange.parse(HttpExchange.readAll(s.getInputStream())); // to the close: Connection: close
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, stuck.status(), stuck.toString());
        assertEquals("close", stuck.headers().get("connection"));
        assertEquals("slow-one", stuck.headers().get("x-request-id"));
        assertTrue(tookMillis < 10_000, "answered after " + tookMillis + " ms");
        server.awaitLogged(Duration.ofSeconds(10), () -> server.output().contains(
                ": GET /?ms=600000 HTTP/1.1 (request id slow-one) made no progress for 1 s (--request-timeout); ending that exchange"),
                "the worker's log line naming the request and its id");
        assertEquals(200, HttpExchange.get(server.port(), "/?ms=10").status(), "the server goes on serving");
        assertEquals(List.of(worker), server.workerPids(), "the same worker serves on: one exchange ended, not the worker");
    }

    @Test
    void aClientThatStopsReadingLosesItsConnectionToTheSendTimeout() throws Exception {
        ServerProcess server = servers.start(List.of(bulk), "--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--handler", "bulk", "--send-timeout", "1");
        long worker = server.workerPids().getFirst();
        try (Socket deaf = new Socket()) {
            deaf.setReceiveBufferSize(16 * 1024);
            deaf.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            deaf.getOutputStream().write(("GET /?mb=512 HTTP/1.1\r\nHost: h\r\nX-Request-Id: deaf-one\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // It reads nothing: the worker's write stalls once the socket buffers are full.
            server.awaitLogged(Duration.ofSeconds(20), () -> server.output().contains(
                    ": a write sent nothing for 1 s (--send-timeout) in GET /?mb=512 HTTP/1.1 (request id deaf-one)"),
                    "the worker's send-timeout log line");
            deaf.setSoTimeout(10_000);
            InputStream in = deaf.getInputStream();
            long received = 0;
            try {
                for (int n; (n = in.read(new byte[1 << 16])) > 0; ) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // closed with bytes unsent: the kernel may reset rather than end the stream
            }
            assertTrue(received < 512L << 20, "the response was cut: " + received + " bytes");
        }
        HttpExchange next = HttpExchange.get(server.port(), "/?mb=1");
        assertEquals(200, next.status());
        assertEquals(List.of(worker), server.workerPids(), "the same worker serves on");
    }

    @Test
    void aWebSocketSessionQuietForLongerThanTheRequestTimeoutIsNotEnded() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", "--process", "websocket",
                "--request-timeout", "1", "--send-timeout", "1");
        try (WebSocketClient client = WebSocketClient.connect("127.0.0.1", server.port(), "/")) {
            client.sendText("before");
            assertEquals("before", client.receiveMessage().text());
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos(); // let both timeouts pass twice over
            while (System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
            }
            client.sendText("after");
            assertEquals("after", client.receiveMessage().text());
        }
        assertTrue(!server.output().contains("--request-timeout") && !server.output().contains("--send-timeout"),
                "no timeout was logged: " + server.output());
    }
}
