package dev.starling.http.internal;

import static dev.starling.http.internal.RawWebSocketClient.BINARY;
import static dev.starling.http.internal.RawWebSocketClient.CLOSE;
import static dev.starling.http.internal.RawWebSocketClient.FIN;
import static dev.starling.http.internal.RawWebSocketClient.PING;
import static dev.starling.http.internal.RawWebSocketClient.PONG;
import static dev.starling.http.internal.RawWebSocketClient.TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Response;
import dev.starling.http.websocket.internal.EchoEndpoint;
import dev.starling.http.websocket.internal.WebSocketSettings;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The framing rules of RFC 6455 (issue 6, item 2), one test each, named after the rule: a real
 * server on a free port, the echo endpoint at {@code /}, and a client of hand-made frames.
 */
class WebSocketRulesTest {

    static final WebSocketSettings SETTINGS = new WebSocketSettings(1 << 20, Duration.ofSeconds(60), false);

    private SocketServer server;

    private RawWebSocketClient open(WebSocketSettings settings) throws IOException {
        server = new SocketServer(request -> Response.ok("plain"),
                WebSocketUpgrade.of(Map.of("/", new EchoEndpoint()), settings));
        return RawWebSocketClient.open(server.port(), "/");
    }

    private RawWebSocketClient open() throws IOException {
        return open(SETTINGS);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Sends {@code frames} and expects a close frame with {@code code}, then the end of the connection. */
    private void expectClose(int code, byte[]... frames) throws IOException {
        try (RawWebSocketClient c = open()) {
            for (byte[] f : frames) {
                c.writeRaw(f);
            }
            assertEquals(code, c.readCloseCode());
            assertTrue(c.serverClosed(), "the server closes the TCP connection after the close frame");
        }
    }

    private static byte[] masked(int b0, byte[] payload) {
        return RawWebSocketClient.frame(b0, payload, true);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void textMessageIsEchoedAsText() throws Exception {
        try (RawWebSocketClient c = open()) {
            c.sendText("héllo ☃");
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(TEXT, f.opcode());
            assertTrue(f.fin());
            assertEquals("héllo ☃", f.text());
        }
    }

    @Test
    void binaryMessageIsEchoedAsBinary() throws Exception {
        try (RawWebSocketClient c = open()) {
            byte[] data = new byte[300];
            Arrays.setAll(new int[300], i -> data[i] = (byte) i);
            c.send(FIN | BINARY, data);
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(BINARY, f.opcode());
            assertArrayEquals(data, f.payload());
        }
    }

    @Test
    void fragmentedMessageOfManyFragmentsIsOneMessage() throws Exception {
        try (RawWebSocketClient c = open()) {
            byte[] snowman = utf8("☃"); // 3 bytes: split across fragments
            c.send(TEXT, utf8("a"));
            c.send(0, new byte[] {snowman[0]});
            c.send(FIN | PING, utf8("between")); // control frames may come between fragments (RFC 6455 5.4)
            c.send(0, new byte[] {snowman[1], snowman[2]});
            for (int i = 0; i < 20; i++) {
                c.send(0, utf8(Integer.toString(i % 10)));
            }
            c.send(0, new byte[0]);
            c.send(FIN, utf8("z"));
            RawWebSocketClient.WireFrame pong = c.readFrame();
            assertEquals(PONG, pong.opcode());
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(TEXT, f.opcode());
            assertEquals("a☃01234567890123456789z", f.text());
        }
    }

    @Test
    void pingIsAnsweredByPongWithTheSamePayload() throws Exception {
        try (RawWebSocketClient c = open()) {
            byte[] data = utf8("ping data 123");
            c.send(FIN | PING, data);
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(PONG, f.opcode());
            assertArrayEquals(data, f.payload());
        }
    }

    @Test
    void pongIsIgnored() throws Exception {
        try (RawWebSocketClient c = open()) {
            c.send(FIN | PONG, utf8("unsolicited"));
            c.sendText("after");
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(TEXT, f.opcode(), "nothing answers a pong: the next frame is the echo");
            assertEquals("after", f.text());
        }
    }

    @Test
    void closeIsAnsweredWithTheSameCodeThenTheConnectionCloses() throws Exception {
        try (RawWebSocketClient c = open()) {
            c.send(FIN | CLOSE, RawWebSocketClient.closePayload(4321, utf8("bye")));
            assertEquals(4321, c.readFrame().closeCode());
            assertTrue(c.serverClosed());
        }
    }

    @Test
    void closeWithoutCodeIsAnsweredWithoutCode() throws Exception {
        try (RawWebSocketClient c = open()) {
            c.send(FIN | CLOSE, new byte[0]);
            RawWebSocketClient.WireFrame f = c.readFrame();
            assertEquals(CLOSE, f.opcode());
            assertEquals(0, f.payload().length);
            assertTrue(c.serverClosed());
        }
    }

    @Test
    void sevenSixteenAndSixtyFourBitLengthsAreReadAndWritten() throws Exception {
        try (RawWebSocketClient c = open()) {
            for (int length : new int[] {0, 125, 126, 65535, 65536, 300_000}) {
                byte[] data = new byte[length];
                Arrays.fill(data, (byte) 'x');
                c.send(FIN | BINARY, data);
                RawWebSocketClient.WireFrame f = c.readFrame();
                assertEquals(length, f.payload().length, "echo of " + length + " bytes");
            }
        }
    }

    @Test
    void unmaskedClientFrameCloses1002() throws Exception {
        expectClose(1002, RawWebSocketClient.frame(FIN | TEXT, utf8("plain"), false));
    }

    @Test
    void reservedBitRsv1WithoutExtensionCloses1002() throws Exception {
        expectClose(1002, masked(FIN | 0x40 | TEXT, utf8("x")));
    }

    @Test
    void reservedBitsRsv2AndRsv3Close1002() throws Exception {
        expectClose(1002, masked(FIN | 0x20 | TEXT, utf8("x")));
        expectClose(1002, masked(FIN | 0x10 | BINARY, utf8("x")));
    }

    @Test
    void reservedOpcodesClose1002() throws Exception {
        expectClose(1002, masked(FIN | 0x3, utf8("x")));
        expectClose(1002, masked(FIN | 0xB, utf8("x")));
    }

    @Test
    void fragmentedControlFrameCloses1002() throws Exception {
        expectClose(1002, masked(PING, utf8("not final")));
    }

    @Test
    void controlPayloadOver125BytesCloses1002() throws Exception {
        expectClose(1002, masked(FIN | PING, new byte[126]));
    }

    @Test
    void continuationWithoutMessageCloses1002() throws Exception {
        expectClose(1002, masked(FIN, utf8("orphan")));
    }

    @Test
    void newMessageInsideFragmentedMessageCloses1002() throws Exception {
        expectClose(1002, masked(TEXT, utf8("first")), masked(FIN | TEXT, utf8("second")));
    }

    @Test
    void invalidUtf8InTextCloses1007() throws Exception {
        expectClose(1007, masked(FIN | TEXT, new byte[] {'a', (byte) 0xC0, (byte) 0xAF})); // overlong '/'
    }

    @Test
    void invalidUtf8AcrossFragmentBoundariesCloses1007() throws Exception {
        // E0 then 80: each fragment could start or end a character, together they are an overlong form.
        expectClose(1007, masked(TEXT, new byte[] {'a', (byte) 0xE0}), masked(FIN, new byte[] {(byte) 0x80, (byte) 0x80}));
    }

    @Test
    void textEndingInsideACharacterCloses1007() throws Exception {
        expectClose(1007, masked(TEXT, utf8("ok")), masked(FIN, new byte[] {(byte) 0xE2, (byte) 0x98}));
    }

    @Test
    void invalidUtf8InCloseReasonCloses1007() throws Exception {
        expectClose(1007, masked(FIN | CLOSE, RawWebSocketClient.closePayload(1000, new byte[] {(byte) 0xFF})));
    }

    @Test
    void messageOverMaxMessageCloses1009() throws Exception {
        try (RawWebSocketClient c = open(new WebSocketSettings(1000, Duration.ofSeconds(60), false))) {
            c.send(FIN | BINARY, new byte[1001]);
            assertEquals(1009, c.readCloseCode());
            assertTrue(c.serverClosed());
        }
    }

    @Test
    void fragmentedMessageOverMaxMessageCloses1009() throws Exception {
        try (RawWebSocketClient c = open(new WebSocketSettings(1000, Duration.ofSeconds(60), false))) {
            for (int i = 0; i < 3; i++) {
                c.send(TEXT & (i == 0 ? 0xFF : 0), new byte[400]);
            }
            assertEquals(1009, c.readCloseCode());
            assertTrue(c.serverClosed());
        }
    }

    @Test
    void invalidCloseCodesClose1002() throws Exception {
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1100, 2999, 5000}) {
            expectClose(1002, masked(FIN | CLOSE, RawWebSocketClient.closePayload(code, new byte[0])));
        }
    }

    @Test
    void oneByteClosePayloadCloses1002() throws Exception {
        expectClose(1002, masked(FIN | CLOSE, new byte[] {3}));
    }
}
