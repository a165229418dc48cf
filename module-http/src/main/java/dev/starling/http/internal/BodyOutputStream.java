package dev.starling.http.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The output stream a streamed response body is written to. It holds back the response head so
 * that the head and the first bytes of the body leave in one gathering write, buffers small
 * writes, and frames the body: as chunks (RFC 9112 §7.1), as exactly the promised number of
 * bytes, or raw until the connection closes (HTTP/1.0 without a length, RFC 9112 §6.3).
 * Not thread-safe.
 */
final class BodyOutputStream extends OutputStream {

    enum Framing { CHUNKED, FIXED, CLOSE_DELIMITED }

    private static final int BUFFER_SIZE = 8192;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final Connection connection;
    private final Framing framing;
    private final long length;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private ByteBuffer pendingHead;
    private int count;
    private long written;
    private boolean closed;
    private boolean connectionFailed;

    /** @param length the promised number of bytes for {@link Framing#FIXED}, else ignored */
    BodyOutputStream(Connection connection, ByteBuffer head, Framing framing, long length) {
        this.connection = connection;
        this.pendingHead = head;
        this.framing = framing;
        this.length = length;
    }

    /** Whether the response head has gone out (with the first bytes of the body). */
    boolean headSent() {
        return pendingHead == null;
    }

    /** Whether a write to the connection itself failed (the peer left), as opposed to the body's source. */
    boolean connectionFailed() {
        return connectionFailed;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        countBytes(1);
        if (count == buffer.length) {
            send(null, 0, 0, false);
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return;
        }
        countBytes(len);
        if (count + len <= buffer.length) {
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        } else {
            send(b, off, len, false); // buffered and new bytes go out together, as one chunk
        }
    }

    /** Sends what is buffered (as a chunk, when chunked). */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (count > 0 || pendingHead != null) {
            send(null, 0, 0, false);
        }
    }

    /**
     * Ends the body: sends what is buffered and, when chunked, the last chunk.
     *
     * @throws IOException when a fixed-length body got fewer bytes than promised
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (framing == Framing.FIXED && written != length) {
            throw new IOException("response body ended after " + written + " of the " + length + " bytes promised");
        }
        send(null, 0, 0, framing == Framing.CHUNKED);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("response body stream is closed");
        }
    }

    private void countBytes(int len) throws IOException {
        if (framing == Framing.FIXED && written + len > length) {
            throw new IOException("response body is longer than the " + length + " bytes promised");
        }
        written += len;
    }

    /** Writes head (if pending), buffer, {@code extra} and framing in one gathering write. */
    private void send(byte[] extra, int off, int len, boolean last) throws IOException {
        ByteBuffer[] parts = new ByteBuffer[6];
        int n = 0;
        if (pendingHead != null) {
            parts[n++] = pendingHead;
        }
        int size = count + len;
        if (size > 0) {
            if (framing == Framing.CHUNKED) {
                parts[n++] = ByteBuffer.wrap((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            if (count > 0) {
                parts[n++] = ByteBuffer.wrap(buffer, 0, count);
            }
            if (len > 0) {
                parts[n++] = ByteBuffer.wrap(extra, off, len);
            }
            if (framing == Framing.CHUNKED) {
                parts[n++] = ByteBuffer.wrap(CRLF);
            }
        }
        if (last) {
            parts[n++] = ByteBuffer.wrap(LAST_CHUNK);
        }
        if (n == 0) {
            return;
        }
        try {
            connection.write(n == parts.length ? parts : java.util.Arrays.copyOf(parts, n));
        } catch (IOException e) {
            connectionFailed = true;
            throw e;
        }
        pendingHead = null;
        count = 0;
    }
}
