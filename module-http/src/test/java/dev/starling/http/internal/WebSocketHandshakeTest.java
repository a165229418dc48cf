package dev.starling.http.internal;

import static dev.starling.http.internal.RawWebSocketClient.BINARY;
import static dev.starling.http.internal.RawWebSocketClient.FIN;
import static dev.starling.http.internal.RawWebSocketClient.PING;
import static dev.starling.http.internal.RawWebSocketClient.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.websocket.WebSocketEndpoint;
import dev.starling.http.websocket.WebSocketSession;
import dev.starling.http.websocket.internal.EchoEndpoint;
import dev.starling.http.websocket.internal.WebSocketSettings;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The opening handshake through http1 (issue 6, item 1), the endpoint hooks, and the session's
 * life: idle pings, draining workers, bytes that arrive with the handshake.
 */
class WebSocketHandshakeTest {

    private final BlockingQueue<String> events = new ArrayBlockingQueue<>(100);

    /** Picks "chat.v2" when offered, refuses pages from evil.example, records what happens. */
    private final WebSocketEndpoint chat = new WebSocketEndpoint() {
        @Override
        public boolean acceptsOrigin(Optional<String> origin, Request request) {
            return !origin.orElse("").equals("http://evil.example");
        }

        @Override
        public Optional<String> subprotocol(List<String> offered, Request request) {
            return offered.contains("chat.v2") ? Optional.of("chat.v2") : Optional.empty();
        }

        @Override
        public void onOpen(WebSocketSession session) {
            events.add("open " + session.subprotocol().orElse("-") + " " + session.request().query().first("room").orElse("-"));
        }

        @Override
        public void onText(WebSocketSession session, String text) throws IOException {
            if (text.equals("fail")) {
                throw new IllegalStateException("endpoint bug");
            }
            session.sendText("chat: " + text);
        }

        @Override
        public void onClose(WebSocketSession session, int code, String reason) {
            events.add("close " + code + " " + reason);
        }
    };

    private SocketServer server;

    private SocketServer start(WebSocketSettings settings) throws IOException {
        server = new SocketServer(request -> Response.ok("plain " + request.path()),
                WebSocketUpgrade.of(Map.of("/echo", new EchoEndpoint(), "/chat", chat), settings));
        return server;
    }

    private SocketServer start() throws IOException {
        return start(WebSocketRulesTest.SETTINGS);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** The status line and the rest of the response to {@code request}. */
    private String answer(String request) throws IOException {
        try (RawWebSocketClient c = new RawWebSocketClient(start().port())) {
            c.writeRaw(request.getBytes(StandardCharsets.ISO_8859_1));
            return c.readHead() + c.readRest();
        }
    }

    private String event() throws InterruptedException {
        String e = events.poll(20, TimeUnit.SECONDS);
        assertTrue(e != null, "the endpoint was called");
        return e;
    }

    @Test
    void validHandshakeGets101WithTheAcceptOfRfc6455() throws Exception {
        try (RawWebSocketClient c = new RawWebSocketClient(start().port())) {
            c.writeRaw(RawWebSocketClient.request("/echo").getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
            assertTrue(head.contains("\r\nUpgrade: websocket\r\n"), head);
            assertTrue(head.contains("\r\nConnection: Upgrade\r\n"), head);
            assertTrue(head.contains("\r\nSec-WebSocket-Accept: " + RawWebSocketClient.ACCEPT + "\r\n"), head);
            assertFalse(head.contains("Sec-WebSocket-Protocol"), head);
        }
    }

    @Test
    void missingConnectionUpgradeGets400() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace("Connection: Upgrade\r\n", ""));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
        assertTrue(r.contains("Connection: close"), r);
    }

    @Test
    void missingKeyGets400() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace("Sec-WebSocket-Key: " + RawWebSocketClient.KEY + "\r\n", ""));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
    }

    @Test
    void keyThatIsNot16BytesGets400() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace(RawWebSocketClient.KEY, "c2hvcnQ="));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
        r = answer(RawWebSocketClient.request("/echo").replace(RawWebSocketClient.KEY, "!!!!!!!!!!!!!!!!!!!!!!=="));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
    }

    @Test
    void missingVersionGets400() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace("Sec-WebSocket-Version: 13\r\n", ""));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
    }

    @Test
    void otherVersionGets426NamingVersion13() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
        assertTrue(r.startsWith("HTTP/1.1 426 "), r);
        assertTrue(r.contains("\r\nSec-WebSocket-Version: 13\r\n"), r);
    }

    @Test
    void postWithUpgradeGets400() throws Exception {
        String r = answer(RawWebSocketClient.request("/echo").replace("GET ", "POST "));
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
    }

    @Test
    void plainRequestToAMountedPathGoesToTheHandler() throws Exception {
        String r = answer("GET /echo HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200 "), r);
        assertTrue(r.endsWith("plain /echo"), r);
    }

    @Test
    void upgradeToAPathWithoutEndpointGoesToTheHandler() throws Exception {
        String r = answer(RawWebSocketClient.request("/nothing-here").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
                .replace("Connection: Upgrade\r\n", ""));
        assertTrue(r.startsWith("HTTP/1.1 200 "), r);
    }

    @Test
    void upgradeAfterAKeepAliveRequestOnTheSameConnection() throws Exception {
        try (RawWebSocketClient c = new RawWebSocketClient(start().port())) {
            c.writeRaw("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String first = c.readHead();
            assertTrue(first.startsWith("HTTP/1.1 200 "), first);
            int length = Integer.parseInt(first.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            c.readBytes(length);
            c.writeRaw(RawWebSocketClient.request("/echo").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
            c.sendText("same connection");
            assertEquals("same connection", c.readFrame().text());
        }
    }

    @Test
    void unknownEndpointIsNamedWithTheAvailableOnes() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketUpgrade.from(TestContext.of("ws-endpoint", "/chat=nope"), null));
        assertEquals("no WebSocket endpoint named 'nope'; available: echo", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketUpgrade.from(TestContext.of("ws-endpoint", "chat=echo"), null));
        assertEquals("--ws-endpoint path must start with '/', was 'chat'", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketUpgrade.from(TestContext.of("ws-endpoint", "/a=echo,/a=echo"), null));
        assertEquals("--ws-endpoint mounts two endpoints at /a", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketUpgrade.from(TestContext.of("ws-idle-timeout", "0"), null));
        assertEquals("--ws-idle-timeout must be between 1 and 86400, was 0", e.getMessage());
    }

    @Test
    void echoIsMountedAtItsOwnPathWhenNamedAlone() throws Exception {
        server = new SocketServer(request -> Response.ok("plain"),
                WebSocketUpgrade.from(TestContext.of("ws-endpoint", "echo"), null));
        try (RawWebSocketClient c = RawWebSocketClient.open(server.port(), "/echo")) {
            c.sendText("at /echo");
            assertEquals("at /echo", c.readFrame().text());
        }
    }

    @Test
    void endpointChoosesTheSubprotocol() throws Exception {
        try (RawWebSocketClient c = new RawWebSocketClient(start().port())) {
            c.writeRaw(RawWebSocketClient.request("/chat?room=7", "Sec-WebSocket-Protocol: chat.v1, chat.v2")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertTrue(head.contains("\r\nSec-WebSocket-Protocol: chat.v2\r\n"), head);
            assertEquals("open chat.v2 7", event());
        }
    }

    @Test
    void originRefusedByTheEndpointGets403() throws Exception {
        String r = answer(RawWebSocketClient.request("/chat", "Origin: http://evil.example"));
        assertTrue(r.startsWith("HTTP/1.1 403 "), r);
        assertTrue(events.isEmpty(), "no session was opened");
    }

    @Test
    void framesSentTogetherWithTheHandshakeAreNotLost() throws Exception {
        try (RawWebSocketClient c = new RawWebSocketClient(start().port())) {
            byte[] head = RawWebSocketClient.request("/echo").getBytes(StandardCharsets.ISO_8859_1);
            byte[] first = RawWebSocketClient.frame(FIN | TEXT, "early".getBytes(StandardCharsets.UTF_8), true);
            byte[] second = RawWebSocketClient.frame(FIN | BINARY, new byte[] {1, 2, 3}, true);
            byte[] all = new byte[head.length + first.length + second.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(first, 0, all, head.length, first.length);
            System.arraycopy(second, 0, all, head.length + first.length, second.length);
            c.writeRaw(all); // one write: the server reads the frames with the head
            assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
            assertEquals("early", c.readFrame().text());
            assertEquals(3, c.readFrame().payload().length);
        }
    }

    @Test
    void endpointFailureCloses1011AndReportsIt() throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.open(start().port(), "/chat")) {
            event(); // open
            c.sendText("fail");
            assertEquals(1011, c.readCloseCode());
            assertEquals("close 1011 internal error", event());
        }
    }

    @Test
    void clientCloseIsReportedToTheEndpointWithItsCodeAndReason() throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.open(start().port(), "/chat")) {
            event();
            c.send(FIN | RawWebSocketClient.CLOSE, RawWebSocketClient.closePayload(1000, "done".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1000, c.readCloseCode());
            assertEquals("close 1000 done", event());
        }
    }

    @Test
    void connectionLostWithoutCloseIsReportedAs1006() throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.open(start().port(), "/chat")) {
            event();
        }
        assertEquals("close 1006 ", event());
    }

    @Test
    void drainingWorkerClosesSessions1001() throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.open(start().port(), "/echo")) {
            server.drain();
            c.sendText("last");
            assertEquals("last", c.readFrame().text());
            assertEquals(1001, c.readCloseCode());
        }
    }

    @Test
    void idleClientGetsAPingThenA1001WhenItStaysSilent() throws Exception {
        start(new WebSocketSettings(1 << 20, Duration.ofSeconds(1), false));
        try (RawWebSocketClient c = RawWebSocketClient.open(server.port(), "/chat")) {
            event();
            long start = System.nanoTime();
            assertEquals(PING, c.readFrame().opcode(), "a ping after a second of silence");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(900).toNanos(), "not before the idle timeout");
            assertEquals(1001, c.readCloseCode(), "no pong: closed as going away");
            assertEquals("close 1001 idle timeout", event());
        }
    }

    @Test
    void clientThatStopsReadingIsDisconnectedAndItsSenderUnblocked() throws Exception {
        BlockingQueue<String> sender = new ArrayBlockingQueue<>(10);
        WebSocketEndpoint flood = new WebSocketEndpoint() {
            @Override
            public void onOpen(WebSocketSession session) {
                Thread.ofVirtual().start(() -> {
                    byte[] megabyte = new byte[1 << 20];
                    int sent = 0;
                    try {
                        while (sent < 10_000) {
                            session.sendBinary(megabyte);
                            sent++;
                        }
                        sender.add("sent everything");
                    } catch (IOException e) {
                        sender.add("send failed after " + sent + " MiB");
                    }
                });
            }

            @Override
            public void onClose(WebSocketSession session, int code, String reason) {
                events.add("close " + code);
            }
        };
        server = new SocketServer(request -> Response.ok("plain"), WebSocketUpgrade.of(Map.of("/flood", flood),
                new WebSocketSettings(1 << 20, Duration.ofSeconds(1), false)));
        try (RawWebSocketClient c = RawWebSocketClient.open(server.port(), "/flood")) {
            // The client reads nothing: the kernel buffers fill, the send blocks, the watch ends it.
            String outcome = sender.poll(30, TimeUnit.SECONDS);
            assertTrue(outcome != null && outcome.startsWith("send failed after "), "the blocked send failed: " + outcome);
            assertEquals("close 1006", event());
        }
    }

    @Test
    void deflateIsNegotiatedAndBothDirectionsKeepTheirContext() throws Exception {
        start(new WebSocketSettings(1 << 20, Duration.ofSeconds(60), true));
        try (RawWebSocketClient c = new RawWebSocketClient(server.port())) {
            c.writeRaw(RawWebSocketClient.request("/echo", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            assertTrue(head.contains("\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"), head);
            java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            byte[] text = "compress me, compress me, compress me".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                deflater.setInput(text);
                byte[] buffer = new byte[256];
                int n = deflater.deflate(buffer, 0, buffer.length, java.util.zip.Deflater.SYNC_FLUSH);
                c.send(FIN | RawWebSocketClient.RSV1 | TEXT, java.util.Arrays.copyOf(buffer, n - 4));
                RawWebSocketClient.WireFrame echo = c.readFrame();
                assertTrue(echo.rsv1(), "the echo is compressed");
                byte[] input = java.util.Arrays.copyOf(echo.payload(), echo.payload().length + 4);
                input[input.length - 2] = (byte) 0xFF;
                input[input.length - 1] = (byte) 0xFF;
                inflater.setInput(input);
                byte[] out = new byte[256];
                int m = inflater.inflate(out);
                assertEquals(new String(text, StandardCharsets.UTF_8), new String(out, 0, m, StandardCharsets.UTF_8));
            }
            c.send(RawWebSocketClient.RSV1 | TEXT, new byte[] {2, 0});
            c.send(FIN | RawWebSocketClient.RSV1, new byte[] {2, 0});
            assertEquals(1002, c.readCloseCode(), "RSV1 on a continuation frame (RFC 7692 6.1)");
        }
    }

    @Test
    void clientThatAnswersPingsStaysConnected() throws Exception {
        start(new WebSocketSettings(1 << 20, Duration.ofSeconds(1), false));
        try (RawWebSocketClient c = RawWebSocketClient.open(server.port(), "/echo")) {
            for (int i = 0; i < 3; i++) {
                RawWebSocketClient.WireFrame ping = c.readFrame();
                assertEquals(PING, ping.opcode());
                c.send(FIN | RawWebSocketClient.PONG, ping.payload());
            }
            c.sendText("still here");
            assertEquals("still here", c.readFrame().text());
        }
    }
}
