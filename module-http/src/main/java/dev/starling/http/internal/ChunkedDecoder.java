package dev.starling.http.internal;

import dev.starling.http.Status;
import java.nio.ByteBuffer;

/**
 * Decodes the chunked transfer coding (RFC 9112 §7.1) from bytes as they arrive: framing is
 * checked byte by byte, chunk data is copied in bulk. The same line-ending rule as the
 * {@link RequestParser} holds: CRLF only, a bare CR or LF is answered {@code 400}.
 *
 * <ul>
 *   <li>Chunk sizes are hex; one that does not fit in a signed 64-bit length is rejected.</li>
 *   <li>Chunk extensions are skipped unread, but a size line with its extensions may take at
 *       most {@value #MAX_SIZE_LINE} bytes (an endless extension must not hold a thread).</li>
 *   <li>The trailer section is checked as header fields are (no obs-fold, no whitespace before
 *       the colon, no controls) and discarded; it may take at most the header-size limit.</li>
 *   <li>The total content may not exceed the body-size limit: {@code 413}.</li>
 * </ul>
 * One instance per request body; not thread-safe.
 */
final class ChunkedDecoder {

    /** The most bytes a chunk-size line may take, extensions included, CRLF excluded. */
    static final int MAX_SIZE_LINE = 4096;

    private static final int SIZE_START = 0;
    private static final int SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER_START = 7;
    private static final int TRAILER_NAME = 8;
    private static final int TRAILER_VALUE = 9;
    private static final int TRAILER_LF = 10;
    private static final int END_LF = 11;
    private static final int DONE = 12;

    private final long maxBodySize;
    private final int maxTrailerSize;
    private int state = SIZE_START;
    private long chunkSize;
    private long total;
    private int lineLength;
    private int trailerSize;

    ChunkedDecoder(long maxBodySize, int maxTrailerSize) {
        this.maxBodySize = maxBodySize;
        this.maxTrailerSize = maxTrailerSize;
    }

    /** Whether the last chunk and the trailer section have been read. */
    boolean finished() {
        return state == DONE;
    }

    /**
     * Decodes from {@code in} into {@code dst[off, off + len)}, or skips the data when
     * {@code dst} is {@code null}. Consumes framing bytes as it goes; stops after the final
     * CRLF, leaving any later bytes (a pipelined request) in {@code in}.
     *
     * @param len at least 1
     * @return the number of content bytes produced (at least 1); 0 when {@code in} ran out
     *         first; -1 when the body has ended
     * @throws RequestRejected when the framing is malformed or a limit is exceeded
     */
    int decode(ByteBuffer in, byte[] dst, int off, int len) throws RequestRejected {
        while (state != DONE && in.hasRemaining()) {
            if (state == DATA) {
                int n = (int) Math.min(Math.min(len, chunkSize), in.remaining());
                if (dst == null) {
                    in.position(in.position() + n);
                } else {
                    in.get(dst, off, n);
                }
                chunkSize -= n;
                if (chunkSize == 0) {
                    state = DATA_CR;
                }
                return n;
            }
            step(in.get());
        }
        return state == DONE ? -1 : 0;
    }

    private void step(byte b) throws RequestRejected {
        switch (state) {
            case SIZE_START -> {
                int digit = PercentCodec.hexValue(b);
                if (digit < 0) {
                    throw RequestRejected.badRequest("chunk size is not a hex number (RFC 9112 §7.1)");
                }
                chunkSize = digit;
                lineLength = 1;
                state = SIZE;
            }
            case SIZE -> {
                int digit = PercentCodec.hexValue(b);
                if (digit >= 0) {
                    if (chunkSize > (Long.MAX_VALUE >>> 4)) {
                        throw RequestRejected.badRequest("chunk size is too large to represent (RFC 9112 §7.1)");
                    }
                    chunkSize = (chunkSize << 4) | digit;
                    countSizeLine();
                } else if (b == ';' || b == ' ' || b == '\t') {
                    countSizeLine();
                    state = EXTENSION; // RFC 9112 §7.1.1: BWS ";" chunk-ext, which we skip
                } else if (b == '\r') {
                    state = SIZE_LF;
                } else {
                    throw RequestRejected.badRequest(b == '\n'
                            ? "bare LF in chunked framing; lines must end in CRLF (RFC 9112 §2.2)"
                            : "chunk size is not a hex number (RFC 9112 §7.1)");
                }
            }
            case EXTENSION -> {
                if (b == '\r') {
                    state = SIZE_LF;
                } else if (!Ascii.isFieldChar(b)) {
                    throw RequestRejected.badRequest("control character in a chunk extension (RFC 9112 §7.1.1)");
                } else {
                    countSizeLine();
                }
            }
            case SIZE_LF -> {
                expectLf(b);
                if (chunkSize == 0) {
                    state = TRAILER_START;
                } else {
                    if (chunkSize > maxBodySize - total) {
                        throw new RequestRejected(Status.CONTENT_TOO_LARGE,
                                "request content exceeds " + maxBodySize + " bytes (--max-body-size)");
                    }
                    total += chunkSize;
                    state = DATA;
                }
            }
            case DATA_CR -> {
                if (b != '\r') {
                    throw RequestRejected.badRequest("chunk data is not followed by CRLF (RFC 9112 §7.1)");
                }
                state = DATA_LF;
            }
            case DATA_LF -> {
                expectLf(b);
                state = SIZE_START;
            }
            case TRAILER_START -> {
                countTrailer();
                if (b == '\r') {
                    state = END_LF;
                } else if (b == ' ' || b == '\t') {
                    throw RequestRejected.badRequest("obsolete line folding in a trailer field (RFC 9112 §5.2)");
                } else if (Ascii.isTchar(b)) {
                    state = TRAILER_NAME;
                } else {
                    throw RequestRejected.badRequest("trailer field name is not a token (RFC 9112 §7.1.2)");
                }
            }
            case TRAILER_NAME -> {
                countTrailer();
                if (b == ':') {
                    state = TRAILER_VALUE;
                } else if (b == ' ' || b == '\t') {
                    throw RequestRejected.badRequest("whitespace between a trailer field name and its colon (RFC 9112 §5.1)");
                } else if (!Ascii.isTchar(b)) {
                    throw RequestRejected.badRequest("trailer field name is not a token followed by ':' (RFC 9112 §7.1.2)");
                }
            }
            case TRAILER_VALUE -> {
                countTrailer();
                if (b == '\r') {
                    state = TRAILER_LF;
                } else if (!Ascii.isFieldChar(b)) {
                    throw RequestRejected.badRequest("control character in a trailer field value (RFC 9110 §5.5)");
                }
            }
            case TRAILER_LF -> {
                countTrailer();
                expectLf(b);
                state = TRAILER_START;
            }
            case END_LF -> {
                expectLf(b);
                state = DONE;
            }
            default -> throw new IllegalStateException("chunked decoder in state " + state);
        }
    }

    private static void expectLf(byte b) throws RequestRejected {
        if (b != '\n') {
            throw RequestRejected.badRequest("bare CR in chunked framing; lines must end in CRLF (RFC 9112 §2.2)");
        }
    }

    private void countSizeLine() throws RequestRejected {
        if (++lineLength > MAX_SIZE_LINE) {
            throw RequestRejected.badRequest("chunk size line with extensions exceeds " + MAX_SIZE_LINE + " bytes");
        }
    }

    private void countTrailer() throws RequestRejected {
        if (++trailerSize > maxTrailerSize) {
            throw new RequestRejected(Status.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "trailer section exceeds " + maxTrailerSize + " bytes (--max-header-size)");
        }
    }
}
