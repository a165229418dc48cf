package dev.starling.it;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client (RFC 6455) over a plain socket, for integration tests and the load
 * client: it checks the handshake's accept value, masks every frame with the connection's random
 * key, and reads frames one at a time. Not thread-safe; no extensions.
 */
public final class WebSocketClient implements AutoCloseable {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /**
     * A frame from the server.
     *
     * @param opcode  the frame's opcode
     * @param payload its payload
     */
    public record Frame(int opcode, byte[] payload) {
        /** The status code of a close frame, 1005 when it has none. */
        public int closeCode() {
            return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] key = new byte[4];
    private byte[] scratch = new byte[256];

    private WebSocketClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        ThreadLocalRandom.current().nextBytes(key);
    }

    /**
     * Connects to {@code host:port} and upgrades {@code path}; reads time out after 30 s.
     *
     * @throws IOException when the server does not answer 101 with the right accept value
     */
    public static WebSocketClient connect(String host, int port, String path) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            WebSocketClient client = new WebSocketClient(socket);
            client.handshake(host, port, path);
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void handshake(String host, int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String secKey = Base64.getEncoder().encodeToString(nonce);
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + secKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake after: " + head);
            }
            head.write(b);
        }
        String response = head.toString(StandardCharsets.ISO_8859_1);
        // Field names are case-insensitive (RFC 9110 5.1): Netty, for one, sends them in lower case.
        boolean accepted = response.lines().anyMatch(line -> line.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)
                && line.substring(21).trim().equals(accept(secKey)));
        if (!response.startsWith("HTTP/1.1 101 ") || !accepted) {
            throw new IOException("handshake refused: " + response);
        }
    }

    private static String accept(String secKey) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((secKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    public void sendText(String text) throws IOException {
        send(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendBinary(byte[] data) throws IOException {
        send(BINARY, data);
    }

    /** Sends a close frame with {@code code} and no reason. */
    public void sendClose(int code) throws IOException {
        send(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** Sends one final frame and flushes it. */
    public void send(int opcode, byte[] payload) throws IOException {
        write(opcode, payload);
        out.flush();
    }

    /** Writes one final frame without flushing; {@link #flush()} sends what was written. */
    public void write(int opcode, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(0x80 | opcode);
        if (n < 126) {
            out.write(0x80 | n);
        } else if (n <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        out.write(key);
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            scratch[i] = (byte) (payload[i] ^ key[i & 3]);
        }
        out.write(scratch, 0, n);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** The next frame from the server. */
    public Frame receive() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server sent a masked frame (RFC 6455 5.1)");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** The next data or close frame; pings are answered on the way. */
    public Frame receiveMessage() throws IOException {
        while (true) {
            Frame f = receive();
            if (f.opcode() == PING) {
                send(PONG, f.payload());
            } else if (f.opcode() != PONG) {
                return f;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
