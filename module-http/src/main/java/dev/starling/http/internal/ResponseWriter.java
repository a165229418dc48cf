package dev.starling.http.internal;

import static java.lang.System.Logger.Level.WARNING;

import dev.starling.http.Headers;
import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.http.Version;
import dev.starling.process.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes responses to one connection (RFC 9112 §4, §6). The server owns framing: every response
 * gets {@code Date}, {@code Server} and, unless its status forbids content, either
 * {@code Content-Length} or {@code Transfer-Encoding: chunked} (or, to an HTTP/1.0 client and
 * for a body of unknown length, neither: the body then ends when the connection closes). The
 * head and a body known in full leave in one gathering write. Not thread-safe.
 */
final class ResponseWriter {

    private static final System.Logger LOG = System.getLogger(ResponseWriter.class.getName());
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final Status[] KNOWN = new Status[600];
    private static final byte[][] STATUS_LINES = new byte[600][];

    static {
        for (int code = 100; code < 600; code++) {
            Status status = Status.of(code);
            if (!status.reason().isEmpty()) { // a constant: Status.of returns the same instance each time
                KNOWN[code] = status;
                STATUS_LINES[code] = ("HTTP/1.1 " + code + " " + status.reason() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static final byte[] REQUEST_ID = "X-Request-Id: ".getBytes(StandardCharsets.US_ASCII);
    /** The largest body copied after the head into one buffer; larger ones are written from their own. */
    static final int SMALL_BODY = 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What a failed handler or body source is answered with: a body that reveals nothing. */
    static final Response INTERNAL_ERROR = Response.of(Status.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");

    /** What an exchange the worker ended for its request timeout is answered with, when nothing was sent yet. */
    static final Response SERVICE_UNAVAILABLE = Response.of(Status.SERVICE_UNAVAILABLE, "503 Service Unavailable\n");

    private static final int HAS_DATE = 1;
    private static final int HAS_SERVER = 2;
    private static final int HAS_ID = 4;
    private static final int ASKS_TO_CLOSE = 8;

    private final Connection connection;
    private final byte[] serverLine;
    private Headers encodedHeaders; // the handler fields last written, by identity (see putFields)
    private byte[] encodedFields = new byte[0]; // reused: a handler that builds its fields per request allocates nothing here
    private int encodedFieldsLength;
    private int encodedFlags;
    private byte[] head = new byte[512];
    private ByteBuffer headBuffer = ByteBuffer.wrap(head);
    private final ByteBuffer[] single = new ByteBuffer[1]; // Connection.write is varargs: one array per connection, not per write
    private int length;
    private long lastContentLength;

    /** @param serverName the {@code Server} field value; must be a valid field value */
    ResponseWriter(Connection connection, String serverName) {
        this.connection = connection;
        this.serverLine = ("Server: " + serverName + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends the interim {@code 100 Continue} (RFC 9110 §15.2.1). */
    void sendContinue() throws IOException {
        connection.write(ByteBuffer.wrap(CONTINUE));
    }

    /**
     * Sends a plain-text error and announces {@code Connection: close}. {@code detail} must not
     * quote request bytes.
     */
    void sendError(Status status, String detail) throws IOException {
        String text = status.code() + " " + status.reason() + (detail.isEmpty() ? "" : ": " + detail) + "\n";
        Response error = Response.of(status, text);
        send(error, Version.HTTP_1_1, false, false, null);
    }

    /**
     * Sends {@code response} to a request of {@code version}.
     *
     * @param headRequest whether the request was {@code HEAD}: framing fields as for
     *                    {@code GET}, but no content (RFC 9110 §9.3.2)
     * @param keepAlive   whether the connection may persist; if false the response carries
     *                    {@code Connection: close}
     * @param requestId   sent as {@code X-Request-Id} unless the response sets that field, or
     *                    {@code null} for none
     * @return whether the connection may carry another request: false when {@code keepAlive}
     *         was, when the response asked for close or was delimited by closing, and when its
     *         body's source failed after the head was sent (then the response is incomplete,
     *         the failure is logged, and the connection must be closed without more output)
     * @throws IOException when writing to the connection fails
     */
    boolean send(Response response, Version version, boolean headRequest, boolean keepAlive, String requestId)
            throws IOException {
        if (!(response.body() instanceof Response.Body.File file)) {
            return send(response, version, headRequest, keepAlive, requestId, null);
        }
        FileChannel channel;
        try {
            if (!Files.isRegularFile(file.path())) {
                throw new NoSuchFileException(file.path().toString(), null, "not a regular file");
            }
            channel = FileChannel.open(file.path(), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            LOG.log(WARNING, () -> "connection " + connection.id() + ": response file cannot be opened"
                    + (requestId == null ? "" : " (request id " + requestId + ")") + "; answered 500", e);
            return send(INTERNAL_ERROR, version, headRequest, keepAlive, requestId, null);
        }
        try (channel) {
            return send(response, version, headRequest, keepAlive, requestId, channel);
        }
    }

    /** The content length of the last response sent, or -1 when it was unknown (streamed chunked or to close). */
    long lastContentLength() {
        return lastContentLength;
    }

    private boolean send(Response response, Version version, boolean headRequest, boolean keepAlive, String requestId,
                         FileChannel file) throws IOException {
        Status status = response.status();
        Headers headers = response.headers();
        Response.Body body = response.body();
        long contentLength = switch (body) {
            case Response.Body.Empty empty -> 0;
            case Response.Body.Bytes bytes -> bytes.length();
            case Response.Body.Streamed streamed -> streamed.length();
            case Response.Body.File ignored -> file.size();
            case Response.Body.Written written -> -1;
        };
        boolean noContent = status.forbidsContent();
        boolean sendsContent = !noContent && !headRequest;
        boolean chunked = contentLength < 0 && version == Version.HTTP_1_1;
        boolean closeDelimited = contentLength < 0 && !chunked && sendsContent;
        lastContentLength = sendsContent ? contentLength : 0;

        length = 0;
        put(statusLine(status));
        int flags = putFields(headers);
        boolean hasDate = (flags & HAS_DATE) != 0;
        boolean hasServer = (flags & HAS_SERVER) != 0;
        boolean hasId = (flags & HAS_ID) != 0;
        boolean asksToClose = (flags & ASKS_TO_CLOSE) != 0;
        boolean persist = keepAlive && !closeDelimited && !asksToClose;
        if (!hasDate) {
            put(DateCache.fieldLine());
        }
        if (!hasServer) {
            put(serverLine);
        }
        if (requestId != null && !hasId) {
            put(REQUEST_ID);
            put(requestId); // valid by RequestIds.isValid or made by RequestIds.next: no CR, LF or control
            put(CRLF);
        }
        if (!noContent) {
            // RFC 9110 §8.6: no Content-Length with 1xx or 204; a 304's would describe another representation.
            if (chunked) {
                field("Transfer-Encoding", "chunked");
            } else if (contentLength >= 0) {
                put(CONTENT_LENGTH);
                putDecimal(contentLength);
                put(CRLF);
            }
        }
        if (!persist) {
            field("Connection", "close");
        } else if (version == Version.HTTP_1_0) {
            field("Connection", "keep-alive"); // RFC 9112 §9.3: an HTTP/1.0 connection persists only when both say so
        }
        put(CRLF);
        // A small body is copied after the head: one buffer to write, and neither a duplicate of
        // the handler's buffer nor an array of two per response. That is one more copy of the
        // body (each write copies into a direct buffer anyway), cheaper than those allocations
        // only while the body is small; a larger body keeps its own buffer.
        boolean bodyInHead = false;
        if (sendsContent && body instanceof Response.Body.Bytes small && small.length() <= SMALL_BODY) {
            ByteBuffer content = small.content();
            int n = content.remaining();
            ensure(n);
            content.get(content.position(), head, length, n);
            length += n;
            bodyInHead = true;
        }
        if (headBuffer.array() != head) {
            headBuffer = ByteBuffer.wrap(head); // the array grew
        }
        headBuffer.clear().limit(length);

        if (!sendsContent) {
            if (body instanceof Response.Body.Streamed streamed) {
                closeQuietly(streamed.in());
            }
            writeHead();
            return persist;
        }
        return switch (body) {
            case Response.Body.Empty empty -> {
                writeHead();
                yield persist;
            }
            case Response.Body.Bytes bytes -> {
                if (bodyInHead) {
                    writeHead();
                } else {
                    connection.write(headBuffer, bytes.content().duplicate());
                }
                yield persist;
            }
            case Response.Body.Streamed streamed -> stream(headBuffer, streamed, chunked, version, persist);
            case Response.Body.File ignored -> sendFile(file, contentLength, persist);
            case Response.Body.Written written -> write(headBuffer, written, chunked, version, persist);
        };
    }

    /**
     * Writes the handler's fields, except {@code Connection}, and says which of those the server
     * cares about it has. One pass writes them and notes the ones the server would add or that
     * change framing, so a typical response costs one comparison per field. Handlers often
     * answer with the same {@link Headers} instance again and again (a constant response, or
     * {@code withBody} on one); the fields of the last instance are kept encoded, so it is then
     * one copy.
     */
    private int putFields(Headers headers) {
        if (headers == encodedHeaders) {
            ensure(encodedFieldsLength);
            System.arraycopy(encodedFields, 0, head, length, encodedFieldsLength);
            length += encodedFieldsLength;
            return encodedFlags;
        }
        int start = length;
        int flags = 0;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            switch (name.length()) {
                case 4 -> flags |= Ascii.equalsIgnoreCase(name, "Date") ? HAS_DATE : 0;
                case 6 -> flags |= Ascii.equalsIgnoreCase(name, "Server") ? HAS_SERVER : 0;
                case 10 -> {
                    if (Ascii.equalsIgnoreCase(name, "Connection")) {
                        flags |= Ascii.listContains(headers.value(i), "close") ? ASKS_TO_CLOSE : 0;
                        continue; // the server writes its own Connection field
                    }
                }
                case 12 -> flags |= Ascii.equalsIgnoreCase(name, "X-Request-Id") ? HAS_ID : 0;
                default -> {
                    // not a field the server adds
                }
            }
            field(name, headers.value(i));
        }
        encodedHeaders = headers; // immutable, so the bytes stay right for as long as it is the same instance
        encodedFieldsLength = length - start;
        if (encodedFields.length < encodedFieldsLength) {
            encodedFields = new byte[Math.max(encodedFieldsLength, 2 * encodedFields.length)];
        }
        System.arraycopy(head, start, encodedFields, 0, encodedFieldsLength);
        encodedFlags = flags;
        return flags;
    }

    /** The head, then the file by {@link Connection#transferFrom} (sendfile): its bytes never enter the JVM. */
    private boolean sendFile(FileChannel file, long length, boolean persist) throws IOException {
        writeHead();
        long sent = connection.transferFrom(file, 0, length);
        if (sent < length) {
            LOG.log(WARNING, () -> "connection " + connection.id() + ": response file shrank to " + sent + " of the "
                    + length + " bytes announced; closing the connection mid-response");
            return false;
        }
        return persist;
    }

    private boolean stream(ByteBuffer headBuffer, Response.Body.Streamed streamed, boolean chunked, Version version,
                           boolean persist) throws IOException {
        BodyOutputStream.Framing framing = streamed.length() >= 0 ? BodyOutputStream.Framing.FIXED
                : chunked ? BodyOutputStream.Framing.CHUNKED : BodyOutputStream.Framing.CLOSE_DELIMITED;
        BodyOutputStream out = new BodyOutputStream(connection, headBuffer, framing, streamed.length());
        try (InputStream in = streamed.in()) {
            long left = streamed.length() < 0 ? Long.MAX_VALUE : streamed.length();
            byte[] chunk = new byte[8192];
            while (left > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    break;
                }
                out.write(chunk, 0, n);
                left -= n;
            }
            out.close();
            return persist;
        } catch (IOException | RuntimeException e) {
            return abandon(out, e, version, persist);
        }
    }

    private boolean write(ByteBuffer headBuffer, Response.Body.Written written, boolean chunked, Version version,
                          boolean persist) throws IOException {
        BodyOutputStream out = new BodyOutputStream(connection, headBuffer,
                chunked ? BodyOutputStream.Framing.CHUNKED : BodyOutputStream.Framing.CLOSE_DELIMITED, -1);
        try {
            written.writer().writeTo(out);
            out.close();
            return persist;
        } catch (IOException | RuntimeException e) {
            return abandon(out, e, version, persist);
        }
    }

    /**
     * A body's source failed. When the peer left, rethrow. When nothing was sent yet, the
     * client can still get a 500; otherwise the response is cut short and the connection must
     * close, so that the client sees it incomplete rather than wrong.
     */
    private boolean abandon(BodyOutputStream out, Exception e, Version version, boolean persist) throws IOException {
        if (out.connectionFailed() && e instanceof IOException io) {
            throw io;
        }
        if (connection.exchangeTimedOut()) {
            // The worker interrupted the body's writer (and logged why): 503 if the client has seen nothing.
            Thread.interrupted();
            if (!out.headSent()) {
                send(SERVICE_UNAVAILABLE, version, false, false, null);
            }
            return false;
        }
        if (!out.headSent()) {
            LOG.log(WARNING, () -> "connection " + connection.id() + ": response body failed before anything was sent;"
                    + " answered 500", e);
            return send(INTERNAL_ERROR, version, false, persist, null);
        }
        LOG.log(WARNING, () -> "connection " + connection.id()
                + ": response body failed after the head was sent; closing the connection mid-response", e);
        return false;
    }

    private void closeQuietly(InputStream in) {
        closeQuietly(in, connection);
    }

    /** Closes the body of a response that is not sent, logging a failure. */
    static void closeQuietly(InputStream in, Connection connection) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.log(WARNING, () -> "connection " + connection.id() + ": closing an unsent response body failed", e);
        }
    }

    /** {@code HTTP/1.1 200 OK\r\n}, made once per constant status. */
    private static byte[] statusLine(Status status) {
        byte[] cached = STATUS_LINES[status.code()];
        if (cached != null && KNOWN[status.code()].equals(status)) {
            return cached;
        }
        return ("HTTP/1.1 " + status.code() + " " + status.reason() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes a non-negative number in decimal, without making a string. */
    private void putDecimal(long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        ensure(digits);
        long v = value;
        for (int i = length + digits - 1; i >= length; i--) {
            head[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += digits;
    }

    private void field(String name, String value) {
        put(name);
        put(": ");
        put(value);
        put("\r\n");
    }

    private void put(String s) {
        int n = s.length();
        ensure(n);
        // Names and values were validated as ISO-8859-1 without controls when the response was built.
        for (int i = 0; i < n; i++) {
            head[length + i] = (byte) s.charAt(i);
        }
        length += n;
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, head, length, bytes.length);
        length += bytes.length;
    }

    /** Writes {@link #headBuffer} alone. */
    private void writeHead() throws IOException {
        single[0] = headBuffer; // a write consumes its buffers before it returns; none keeps the array
        connection.write(single);
    }

    private void ensure(int more) {
        if (length + more > head.length) {
            head = Arrays.copyOf(head, Math.max(head.length * 2, length + more));
        }
    }
}
