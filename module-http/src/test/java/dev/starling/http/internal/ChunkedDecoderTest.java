package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The chunked decoder fed raw bytes (RFC 9112 §7.1). */
class ChunkedDecoderTest {

    /** Decodes {@code wire} revealing {@code step} bytes at a time; returns content + "|" + leftover. */
    static String decode(String wire, int step, long maxBody, int maxTrailer) throws RequestRejected {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.limit(0);
        ChunkedDecoder decoder = new ChunkedDecoder(maxBody, maxTrailer);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        byte[] dst = new byte[3];
        while (true) {
            int n = decoder.decode(in, dst, 0, dst.length);
            if (n > 0) {
                content.write(dst, 0, n);
            } else if (n < 0) {
                break;
            } else if (in.limit() == bytes.length) {
                throw new AssertionError("input ended before the body did");
            } else {
                in.limit(Math.min(bytes.length, in.limit() + step));
            }
        }
        in.limit(bytes.length);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        return content.toString(StandardCharsets.ISO_8859_1) + "|" + new String(rest, StandardCharsets.ISO_8859_1);
    }

    static String decode(String wire) throws RequestRejected {
        return decode(wire, 1 << 20, 1 << 20, 1024);
    }

    static Status rejection(String wire) {
        return assertThrows(RequestRejected.class, () -> decode(wire)).status();
    }

    @Test
    void decodesChunksAndLeavesTheFollowingBytes() throws Exception {
        assertEquals("hello world|GET", decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET"));
    }

    @Test
    void decodesTheSameAtEveryReadSize() throws Exception {
        String wire = "5;a=b\r\nhello\r\nA\r\n0123456789\r\n000\r\nX-T: v\r\n\r\nnext";
        String whole = decode(wire);
        for (int step = 1; step < wire.length(); step++) {
            assertEquals(whole, decode(wire, step, 1 << 20, 1024), "read size " + step);
        }
    }

    @Test
    void acceptsUpperAndLowerCaseHex() throws Exception {
        assertEquals("a".repeat(26) + "|", decode("1a\r\n" + "a".repeat(26) + "\r\n0\r\n\r\n"));
        assertEquals("a".repeat(26) + "|", decode("1A\r\n" + "a".repeat(26) + "\r\n0\r\n\r\n"));
    }

    @Test
    void skipsChunkExtensions() throws Exception {
        assertEquals("abc|", decode("3 ; name=\"quoted value\"; flag\r\nabc\r\n0;last\r\n\r\n"));
    }

    @Test
    void readsAndDiscardsTrailerFields() throws Exception {
        assertEquals("abc|", decode("3\r\nabc\r\n0\r\nChecksum: 1234\r\nX-More: \t\r\n\r\n"));
    }

    @Test
    void rejectsChunkSizeThatIsNotHex() {
        assertEquals(Status.BAD_REQUEST, rejection("g\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("-1\r\n"));
    }

    @Test
    void rejectsChunkSizeThatOverflows() {
        assertEquals(Status.BAD_REQUEST, rejection("10000000000000000\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("fffffffffffffffff\r\n"));
    }

    @Test
    void rejectsChunkExtensionsOverTheLineLimit() {
        assertEquals(Status.BAD_REQUEST, rejection("1;" + "x".repeat(ChunkedDecoder.MAX_SIZE_LINE) + "\r\na\r\n0\r\n\r\n"));
    }

    @Test
    void rejectsControlCharacterInChunkExtension() {
        assertEquals(Status.BAD_REQUEST, rejection("1;a\u0000\r\na\r\n0\r\n\r\n"));
    }

    @Test
    void rejectsChunkDataNotFollowedByCrlf() {
        assertEquals(Status.BAD_REQUEST, rejection("3\r\nabcd\r\n0\r\n\r\n"));
    }

    @Test
    void rejectsBareLfInChunkFraming() {
        assertEquals(Status.BAD_REQUEST, rejection("3\nabc\r\n0\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("3\r\nabc\n0\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("3\r\nabc\r\n0\r\n\n"));
    }

    @Test
    void rejectsBareCrInChunkFraming() {
        assertEquals(Status.BAD_REQUEST, rejection("3\rabc\r\n0\r\n\r\n"));
    }

    @Test
    void rejectsObsFoldInTrailers() {
        assertEquals(Status.BAD_REQUEST, rejection("0\r\nA: b\r\n c\r\n\r\n"));
    }

    @Test
    void rejectsWhitespaceBeforeColonInTrailers() {
        assertEquals(Status.BAD_REQUEST, rejection("0\r\nA : b\r\n\r\n"));
    }

    @Test
    void rejectsControlCharacterInTrailerValue() {
        assertEquals(Status.BAD_REQUEST, rejection("0\r\nA: b\u0001\r\n\r\n"));
    }

    @Test
    void answers431WhenTrailersExceedTheHeaderLimit() {
        RequestRejected e = assertThrows(RequestRejected.class,
                () -> decode("0\r\nA: " + "b".repeat(100) + "\r\n\r\n", 1 << 20, 1 << 20, 64));
        assertEquals(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, e.status());
        assertTrue(e.getMessage().contains("--max-header-size"), e.getMessage());
    }

    @Test
    void answers413WhenContentExceedsTheBodyLimit() {
        RequestRejected e = assertThrows(RequestRejected.class,
                () -> decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 1 << 20, 9, 1024));
        assertEquals(Status.CONTENT_TOO_LARGE, e.status());
        assertTrue(e.getMessage().contains("9 bytes (--max-body-size)"), e.getMessage());
    }

    @Test
    void acceptsContentOfExactlyTheBodyLimit() throws Exception {
        assertEquals("helloworld|", decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 1 << 20, 10, 1024));
    }
}
