package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client made of a socket and hand-built frames, so that tests can send what no
 * library would (unmasked frames, reserved bits, bad UTF-8) and see exactly what comes back.
 */
public final class RawWebSocketClient implements AutoCloseable {

    /** The sample key of RFC 6455 §1.3, and its accept value. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static final int FIN = 0x80;
    static final int RSV1 = 0x40;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A frame from the server: its first byte and its payload. */
    record WireFrame(int b0, byte[] payload) {
        int opcode() {
            return b0 & 0x0F;
        }

        boolean fin() {
            return (b0 & FIN) != 0;
        }

        boolean rsv1() {
            return (b0 & RSV1) != 0;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            assertEquals(CLOSE, opcode(), "a close frame");
            return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private String responseHead;

    RawWebSocketClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** The handshake request for {@code path} with the usual fields and {@code extraFields} (each "Name: value"). */
    static String request(String path, String... extraFields) {
        StringBuilder r = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n");
        for (String field : extraFields) {
            r.append(field).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    /** Connects, upgrades {@code path} and checks for 101. */
    static RawWebSocketClient open(int port, String path, String... extraFields) throws IOException {
        RawWebSocketClient client = new RawWebSocketClient(port);
        client.writeRaw(request(path, extraFields).getBytes(StandardCharsets.ISO_8859_1));
        String head = client.readHead();
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        return client;
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The response head, up to and including the blank line. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        responseHead = head.toString(StandardCharsets.ISO_8859_1);
        return responseHead;
    }

    /** Exactly {@code n} bytes, e.g. a response body of known length. */
    byte[] readBytes(int n) throws IOException {
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    /** The whole rest of the HTTP response, for refusals (which close the connection). */
    String readRest() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** A client frame: masked with a random key, unless {@code masked} is false. */
    public static byte[] frame(int b0, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b0);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)));
            }
        }
        byte[] key = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(key);
            f.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ key[i & 3]);
        }
        return f.toByteArray();
    }

    void send(int b0, byte[] payload) throws IOException {
        writeRaw(frame(b0, payload, true));
    }

    void sendText(String text) throws IOException {
        send(FIN | TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with {@code code} and {@code reason}. */
    static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    WireFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        assertEquals(0, b1 & 0x80, "a server frame is never masked (RFC 6455 5.1)");
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new WireFrame(b0, payload);
    }

    /** Reads frames until a close frame and returns its code; fails if the connection ends first. */
    int readCloseCode() throws IOException {
        while (true) {
            WireFrame f = readFrame();
            if (f.opcode() == CLOSE) {
                return f.closeCode();
            }
        }
    }

    /** Whether the server closed the TCP connection: the next read sees the end of the stream (or a reset). */
    boolean serverClosed() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
