package dev.starling.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request over a fresh socket, read to the end of the connection: the simplest
 * client that cannot be fooled by the server's framing, for tests of the process model.
 *
 * @param status  the status code
 * @param headers field names in lower case; the last value wins
 * @param body    the bytes after the header section
 */
public record HttpExchange(int status, Map<String, String> headers, String body) {

    /** {@code GET path} with {@code Connection: close}; a 5 s read timeout. */
    public static HttpExchange get(int port, String path) throws IOException {
        return get(port, path, java.time.Duration.ofSeconds(5));
    }

    /** {@code GET path} with {@code Connection: close} and the given read timeout. */
    public static HttpExchange get(int port, String path, java.time.Duration readTimeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return parse(readAll(socket.getInputStream()));
        }
    }

    /** Reads until the peer closes. */
    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    /**
     * Reads one response head, up to and including its empty line, leaving the body unread: for
     * tests that keep a connection open across responses.
     */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Parses a response that has a header section. */
    public static HttpExchange parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete response header in " + raw.length + " bytes: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new HttpExchange(status, headers, body);
    }

    /** The pid of the worker that answered, from its {@code X-Worker-Pid} header. */
    public long workerPid() {
        String pid = headers.get("x-worker-pid");
        if (pid == null) {
            throw new AssertionError("no X-Worker-Pid header in " + headers);
        }
        return Long.parseLong(pid);
    }
}
