package dev.starling.http.internal;

import dev.starling.http.Status;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A request body as the handler reads it: bounded by Content-Length or de-chunked, read through
 * the connection's buffer so that bytes of a pipelined next request stay there. The first
 * failure (malformed framing, a limit, a timeout, the peer leaving) is kept: every later read
 * rethrows it, and the connection loop answers with its status and closes.
 */
final class RequestBody extends InputStream {

    /** Sends {@code 100 Continue} when the handler first reads a body the client holds back. */
    @FunctionalInterface
    interface ContinueSender {
        void sendContinue() throws IOException;
    }

    private static final int DIRECT_READ_THRESHOLD = 4096;

    private final Inbound in;
    private final ChunkedDecoder decoder; // null when framed by Content-Length
    private final Duration timeout;
    private long remaining; // Content-Length framing only
    private ContinueSender continueSender; // null once sent, or when not expected
    private RequestRejected failure;
    private boolean finished;
    private byte[] one; // for read(), allocated on first use

    private RequestBody(Inbound in, ChunkedDecoder decoder, long remaining, Duration timeout,
                        ContinueSender continueSender) {
        this.in = in;
        this.decoder = decoder;
        this.remaining = remaining;
        this.timeout = timeout;
        this.continueSender = continueSender;
        this.finished = decoder == null && remaining == 0;
    }

    static RequestBody of(RequestHead head, Inbound in, Http1Settings settings, ContinueSender continueSender) {
        if (head.chunked() || head.contentLength() > 0) {
            in.growForBody();
        }
        ContinueSender sender = head.expectContinue() ? continueSender : null;
        ChunkedDecoder decoder = head.chunked() ? new ChunkedDecoder(settings.maxBodySize(), settings.maxHeaderSize()) : null;
        return new RequestBody(in, decoder, Math.max(head.contentLength(), 0), settings.bodyTimeout(), sender);
    }

    /** Whether the whole body has been read (or discarded). */
    boolean finished() {
        return finished;
    }

    /** The failure that ended reading, or {@code null}. */
    RequestRejected failure() {
        return failure;
    }

    /** Whether the client still waits for {@code 100 Continue} before sending the body. */
    boolean awaitingContinue() {
        return continueSender != null && !finished;
    }

    @Override
    public int read() throws IOException {
        if (one == null) {
            one = new byte[1];
        }
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return next(b, off, len);
    }

    @Override
    public int available() {
        if (finished || failure != null || decoder != null) {
            return 0;
        }
        return (int) Math.min(remaining, in.buffer().remaining());
    }

    /**
     * Reads and drops the rest of the body, at most {@code limit} bytes of it.
     *
     * @return whether the body ended within the limit without a failure, so the connection can
     *         carry another request
     */
    boolean discard(long limit) {
        if (finished) {
            return true;
        }
        if (failure != null || awaitingContinue()) {
            return false;
        }
        if (decoder == null && remaining - in.buffer().remaining() > limit) {
            return false; // not worth reading: close instead
        }
        long budget = limit;
        try {
            while (!finished && budget > 0) {
                int n = next(null, 0, (int) Math.min(budget, 64 * 1024));
                if (n > 0) {
                    budget -= n;
                }
            }
        } catch (IOException e) {
            return false; // kept as the failure; the connection closes
        }
        return finished;
    }

    /** Produces up to {@code len} bytes into {@code b}, or drops them when {@code b} is null. */
    private int next(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        try {
            if (continueSender != null) {
                ContinueSender sender = continueSender;
                continueSender = null;
                sender.sendContinue();
            }
            return decoder == null ? nextFixed(b, off, len) : nextChunked(b, off, len);
        } catch (RequestRejected e) {
            failure = e;
            throw e;
        } catch (SocketTimeoutException e) {
            failure = new RequestRejected(Status.REQUEST_TIMEOUT, "request body stalled for more than "
                    + timeout.toSeconds() + " s (--body-timeout)", e);
            throw failure;
        } catch (EOFException e) {
            failure = new RequestRejected(Status.BAD_REQUEST, "connection ended before the request body did", e);
            throw failure;
        }
    }

    private int nextFixed(byte[] b, int off, int len) throws IOException {
        int want = (int) Math.min(len, remaining);
        while (true) {
            int n;
            if (in.hasRemaining()) {
                n = Math.min(want, in.buffer().remaining());
                if (b == null) {
                    in.buffer().position(in.buffer().position() + n);
                } else {
                    in.buffer().get(b, off, n);
                }
            } else if (b != null && want >= DIRECT_READ_THRESHOLD) {
                n = in.readDirect(b, off, want); // large reads skip the copy through the buffer
            } else {
                n = in.fill() < 0 ? -1 : 0;
            }
            if (n < 0) {
                throw new EOFException();
            }
            if (n > 0) {
                remaining -= n;
                finished = remaining == 0;
                return n;
            }
        }
    }

    private int nextChunked(byte[] b, int off, int len) throws IOException {
        while (true) {
            int n = decoder.decode(in.buffer(), b, off, len);
            if (n > 0) {
                return n;
            }
            if (n < 0) {
                finished = true;
                return -1;
            }
            if (in.fill() < 0) {
                throw new EOFException();
            }
        }
    }
}
