package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link dev.starling.http.Handler#nonBlocking() non-blocking} handler is served on the
 * worker's event loop (the edge poller's thread) between requests of a keep-alive connection,
 * and everything that cannot be served there without blocking still works, in order: bodies,
 * streamed and written responses, a response bigger than the socket takes, closes, limits,
 * timeouts and drains. Real server, real sockets; the handler reports the thread it ran on.
 */
class EventLoopServingTest {

    private static final String POLLER = "edge poller";

    @TempDir
    static Path modules;

    private static Path plugin;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void buildHandlers() throws Exception {
        plugin = HandlerModules.jar(modules, "loop", Map.of(
                "module-info.java", """
                        module test.loop {
                            requires dev.starling.http;
                            provides dev.starling.http.Handler with test.loop.LoopHandler, test.loop.BlockingHandler;
                        }
                        """,
                "test/loop/LoopHandler.java", """
                        package test.loop;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;
                        import java.io.ByteArrayInputStream;
                        import java.nio.charset.StandardCharsets;

                        public final class LoopHandler implements Handler {
                            @Override public String name() { return "loop"; }
                            @Override public boolean nonBlocking() { return true; }

                            static byte[] pattern(int n) {
                                byte[] b = new byte[n];
                                for (int i = 0; i < n; i++) {
                                    b[i] = (byte) ('a' + i % 23);
                                }
                                return b;
                            }

                            @Override public Response handle(Request request) throws Exception {
                                Response r = switch (request.path()) {
                                    case "/big" -> Response.ok("").withBody(pattern(Integer.parseInt(request.query().first("n").orElseThrow())));
                                    case "/stream" -> Response.ok("").withBody(new ByteArrayInputStream(pattern(100_000)));
                                    case "/written" -> Response.ok("").withBody(out -> out.write("written".getBytes(StandardCharsets.US_ASCII)));
                                    case "/echo" -> Response.ok(new String(request.body().readAllBytes(), StandardCharsets.UTF_8));
                                    case "/fail" -> throw new IllegalStateException("on purpose");
                                    default -> Response.ok(request.path());
                                };
                                return r.withHeader("X-Thread", Thread.currentThread().getName().isEmpty()
                                        ? "unnamed" : Thread.currentThread().getName());
                            }
                        }
                        """,
                "test/loop/BlockingHandler.java", """
                        package test.loop;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;

                        public final class BlockingHandler implements Handler {
                            @Override public String name() { return "blocking"; }

                            @Override public Response handle(Request request) {
                                return Response.ok(request.path()).withHeader("X-Thread", Thread.currentThread().getName().isEmpty()
                                        ? "unnamed" : Thread.currentThread().getName());
                            }
                        }
                        """));
    }

    private ServerProcess start(String handler, String... more) throws IOException {
        List<String> flags = new ArrayList<>(List.of("--port", "0", "--worker", "1", "--handler", handler));
        flags.addAll(List.of(more));
        return servers.start(List.of(plugin), flags.toArray(String[]::new));
    }

    @Test
    void keepAliveRequestsOfANonBlockingHandlerAreServedOnTheEventLoop() throws Exception {
        ServerProcess server = start("loop");
        try (Socket socket = connect(server)) {
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Reply r = exchange(socket, get("/n" + i));
                assertEquals(200, r.status);
                assertEquals("/n" + i, r.text());
                threads.add(r.headers.get("x-thread"));
                Thread.sleep(20); // let the connection's thread go back to waiting
            }
            // The first request may be read by the connection's own thread; the later ones arrive while it waits.
            assertEquals(List.of(POLLER, POLLER, POLLER), threads.subList(2, 5), "threads: " + threads);
        }
    }

    @Test
    void aBlockingHandlerIsNeverCalledOnTheEventLoop() throws Exception {
        ServerProcess server = start("blocking");
        try (Socket socket = connect(server)) {
            for (int i = 0; i < 4; i++) {
                Reply r = exchange(socket, get("/b" + i));
                assertEquals(200, r.status);
                assertNotEquals(POLLER, r.headers.get("x-thread"));
                Thread.sleep(20);
            }
        }
    }

    @Test
    void withInlineServingOffTheNonBlockingHandlerRunsOnTheConnectionsThread() throws Exception {
        ServerProcess server = servers.launch(ServerProcess.command(List.of(plugin),
                List.of("--port", "0", "--worker", "1", "--handler", "loop")), Map.of("STARLING_WORKER_OPTS", "-Dstarling.inline=false"));
        server.awaitServing(Duration.ofSeconds(60));
        try (Socket socket = connect(server)) {
            for (int i = 0; i < 4; i++) {
                assertNotEquals(POLLER, exchange(socket, get("/x")).headers.get("x-thread"));
                Thread.sleep(20);
            }
        }
    }

    @Test
    void pipelinedRequestsMixingEventLoopAndThreadWorkAreAnsweredInOrder() throws Exception {
        ServerProcess server = start("loop");
        try (Socket socket = waitingOnTheLoop(server)) {
            String pipeline = get("/a")
                    + "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
                    + get("/b") + get("/stream") + get("/written") + get("/fail") + get("/c");
            socket.getOutputStream().write(pipeline.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertEquals("/a", read(in).text());
            Reply echo = read(in);
            assertEquals("xyz", echo.text());
            assertNotEquals(POLLER, echo.headers.get("x-thread"), "a request with a body is served by the connection's thread");
            assertEquals("/b", read(in).text());
            assertArrayEquals(pattern(100_000), read(in).body);
            assertEquals("written", read(in).text());
            assertEquals(500, read(in).status);
            assertEquals("/c", read(in).text());
            // And the connection goes on, back on the event loop.
            Thread.sleep(20);
            Reply after = exchange(socket, get("/after"));
            assertEquals("/after", after.text());
            assertEquals(POLLER, after.headers.get("x-thread"));
        }
    }

    @Test
    void streamedWrittenAndFailedResponsesFromTheEventLoopKeepTheConnection() throws Exception {
        ServerProcess server = start("loop");
        try (Socket socket = connect(server)) {
            exchange(socket, get("/warm"));
            for (String path : List.of("/stream", "/written", "/fail", "/ok")) {
                Thread.sleep(20);
                Reply r = exchange(socket, get(path));
                switch (path) {
                    case "/stream" -> assertArrayEquals(pattern(100_000), r.body);
                    case "/written" -> assertEquals("written", r.text());
                    case "/fail" -> assertEquals(500, r.status);
                    default -> assertEquals(POLLER, r.headers.get("x-thread"));
                }
            }
        }
    }

    @Test
    void aResponseBiggerThanTheSocketTakesDoesNotHoldUpOtherConnections() throws Exception {
        ServerProcess server = start("loop");
        int size = 16 << 20;
        try (Socket slow = waitingOnTheLoop(server); Socket other = connect(server)) {
            // Served on the event loop; the peer reads nothing for now, so most of it cannot be sent yet.
            slow.getOutputStream().write(get("/big?n=" + size).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300);
            for (int i = 0; i < 20; i++) {
                assertEquals("/o" + i, exchange(other, get("/o" + i)).text(), "another connection is served meanwhile");
            }
            Reply big = read(slow.getInputStream());
            assertEquals(POLLER, big.headers.get("x-thread"));
            assertArrayEquals(pattern(size), big.body);
            assertEquals("/next", exchange(slow, get("/next")).text(), "the slow connection goes on after it");
        }
    }

    @Test
    void aRequestForTheCloseServedOnTheEventLoopEndsTheConnectionAfterItsAnswer() throws Exception {
        ServerProcess server = start("loop");
        try (Socket socket = waitingOnTheLoop(server)) {
            Reply r = exchange(socket, "GET /bye HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertEquals("/bye", r.text());
            assertEquals("close", r.headers.get("connection"));
            assertEquals(-1, socket.getInputStream().read(), "closed after the answer");
        }
    }

    /** The last answer, bigger than the socket takes, is sent whole before the close that follows it. */
    @Test
    void aBigLastAnswerServedOnTheEventLoopIsSentWholeBeforeTheClose() throws Exception {
        ServerProcess server = start("loop");
        int size = 16 << 20;
        try (Socket socket = waitingOnTheLoop(server)) {
            socket.getOutputStream().write(("GET /big?n=" + size + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300); // read nothing for a while, so most of it waits in the server
            Reply big = read(socket.getInputStream());
            assertEquals(POLLER, big.headers.get("x-thread"));
            assertEquals("close", big.headers.get("connection"));
            assertArrayEquals(pattern(size), big.body);
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    @Test
    void maxKeepaliveRequestsIsHonouredOnTheEventLoop() throws Exception {
        ServerProcess server = start("loop", "--max-keepalive-reqs", "3");
        try (Socket socket = connect(server)) {
            for (int i = 1; i <= 3; i++) {
                Reply r = exchange(socket, get("/r" + i));
                assertEquals(i == 3 ? "close" : null, r.headers.get("connection"), "request " + i);
                Thread.sleep(20);
            }
            assertEquals(-1, socket.getInputStream().read(), "closed after the third answer");
        }
    }

    @Test
    void theKeepAliveTimeoutCountsFromTheLastRequestServedOnTheEventLoop() throws Exception {
        ServerProcess server = start("loop", "--keepalive-timeout", "1");
        try (Socket socket = connect(server)) {
            // Three seconds of requests 400 ms apart: each restarts the one-second wait.
            for (int i = 0; i < 8; i++) {
                assertEquals("/t" + i, exchange(socket, get("/t" + i)).text());
                Thread.sleep(400);
            }
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "closed once idle");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited > 300 && waited < 4000, "closed after " + waited + " ms idle");
        }
    }

    @Test
    void aDrainEndsAConnectionWaitingOnTheEventLoop() throws Exception {
        ServerProcess server = start("loop");
        try (Socket socket = connect(server)) {
            exchange(socket, get("/one"));
            Thread.sleep(20);
            exchange(socket, get("/two"));
            ServerProcess.signal(server.pid(), "TERM");
            assertEquals(-1, socket.getInputStream().read(), "the idle connection is ended by the drain");
            assertEquals(0, server.awaitExit(Duration.ofSeconds(20)));
        }
    }

    // ---- a small client that reads Content-Length and chunked bodies

    private record Reply(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n";
    }

    private static Socket connect(ServerProcess server) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /**
     * A connection that has had one exchange and whose thread then went back to waiting, so that
     * its next request arrives while the wait is lent to the event loop.
     */
    private static Socket waitingOnTheLoop(ServerProcess server) throws IOException, InterruptedException {
        Socket socket = connect(server);
        assertEquals(200, exchange(socket, get("/warm")).status);
        Thread.sleep(20);
        return socket;
    }

    private static Reply exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return read(socket.getInputStream());
    }

    private static Reply read(InputStream in) throws IOException {
        String head = HttpExchange.readHead(in);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        if ("chunked".equals(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    return new Reply(status, headers, body.toByteArray());
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        assertEquals(length, body.length, "whole body");
        return new Reply(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("ended inside a line");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 23);
        }
        return b;
    }
}
