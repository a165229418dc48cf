package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Status;
import dev.starling.http.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request parser fed raw bytes: one test per rule it enforces. */
class RequestParserTest {

    private static final int LIMIT = 1024;

    /** Parses {@code wire} given all at once; fails if the head is incomplete. */
    static RequestHead parse(String wire) throws RequestRejected {
        ByteBuffer in = ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1));
        RequestHead head = new RequestParser(LIMIT, LIMIT, 1_000_000).parse(in);
        assertNotNull(head, "the head should be complete");
        return head;
    }

    static Status rejection(String wire) {
        ByteBuffer in = ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1));
        RequestRejected e = assertThrows(RequestRejected.class, () -> new RequestParser(LIMIT, LIMIT, 1_000_000).parse(in));
        return e.status();
    }

    @Test
    void parsesRequestLineAndFields() throws Exception {
        RequestHead head = parse("GET /a/b?x=1&x=2 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Two: a\r\nx-two: b\r\n\r\n");
        assertEquals("GET", head.method());
        assertEquals("/a/b?x=1&x=2", head.target().raw());
        assertEquals("/a/b", head.target().path());
        assertEquals(List.of("1", "2"), head.target().query().all("x"));
        assertEquals(Version.HTTP_1_1, head.version());
        assertEquals("example.com", head.headers().first("HOST").orElseThrow());
        assertEquals(List.of("a", "b"), head.headers().all("X-Two"));
        assertEquals(0, head.contentLength());
        assertTrue(head.keepAlive());
    }

    @Test
    void trimsOptionalWhitespaceAroundFieldValues() throws Exception {
        assertEquals("v a", parse("GET / HTTP/1.1\r\nHost: h\r\nX: \t v a \t\r\n\r\n").headers().first("x").orElseThrow());
    }

    @Test
    void acceptsEmptyFieldValue() throws Exception {
        assertEquals("", parse("GET / HTTP/1.1\r\nHost: h\r\nX:\r\n\r\n").headers().first("x").orElseThrow());
    }

    @Test
    void acceptsObsTextInFieldValues() throws Exception {
        assertEquals("caf\u00e9", parse("GET / HTTP/1.1\r\nHost: h\r\nX: caf\u00e9\r\n\r\n").headers().first("x").orElseThrow());
    }

    @Test
    void reusesSharedStringsForCommonNames() throws Exception {
        RequestHead head = parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertSame("GET", head.method());
        assertSame("Host", head.headers().name(0));
    }

    @Test
    void ignoresEmptyLinesBeforeRequestLine() throws Exception {
        assertEquals("/x", parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n").target().path());
    }

    @Test
    void leavesBodyAndPipelinedBytesInBuffer() throws Exception {
        ByteBuffer in = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next".getBytes(StandardCharsets.US_ASCII));
        assertNotNull(new RequestParser(LIMIT, LIMIT, 100).parse(in));
        assertEquals("GET /next", StandardCharsets.US_ASCII.decode(in).toString());
    }

    @Test
    void returnsNullUntilTheHeadIsComplete() throws Exception {
        RequestParser parser = new RequestParser(LIMIT, LIMIT, 100);
        ByteBuffer in = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: h\r\n\r".getBytes(StandardCharsets.US_ASCII));
        assertNull(parser.parse(in));
        assertEquals(0, in.position());
    }

    @Test
    void rejectsBareLfLineEnding() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\nHost: h\n\n"));
    }

    @Test
    void rejectsBareLfBeforeTheHeadIsComplete() {
        // The rule applies as soon as the LF arrives: no waiting for a CRLF CRLF that never comes.
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\n"));
    }

    @Test
    void rejectsBareCr() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"));
    }

    @Test
    void rejectsRequestLineWithoutVersion() {
        assertEquals(Status.BAD_REQUEST, rejection("GET /\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsTwoSpacesInRequestLine() {
        assertEquals(Status.BAD_REQUEST, rejection("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsSpaceInsideRequestTarget() {
        assertEquals(Status.BAD_REQUEST, rejection("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsTrailingSpaceAfterVersion() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsMethodThatIsNotAToken() {
        assertEquals(Status.BAD_REQUEST, rejection("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsEmptyMethod() {
        assertEquals(Status.BAD_REQUEST, rejection(" / HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsLowerCaseVersion() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / http/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void answers505ForHttp2() {
        assertEquals(Status.HTTP_VERSION_NOT_SUPPORTED, rejection("GET / HTTP/2.0\r\nHost: h\r\n\r\n"));
    }

    @Test
    void answers505ForHttp12() {
        assertEquals(Status.HTTP_VERSION_NOT_SUPPORTED, rejection("GET / HTTP/1.2\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsMalformedPercentEscapeInTarget() {
        assertEquals(Status.BAD_REQUEST, rejection("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsNonAsciiByteInTarget() {
        assertEquals(Status.BAD_REQUEST, rejection("GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectsTargetThatIsNotOriginAbsoluteOrAsteriskForm() {
        assertEquals(Status.BAD_REQUEST, rejection("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void answers501ForConnect() {
        assertEquals(Status.NOT_IMPLEMENTED, rejection("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
    }

    @Test
    void rejectsWhitespaceBeforeColon() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost : h\r\n\r\n"));
    }

    @Test
    void rejectsObsFold() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"));
    }

    @Test
    void rejectsFieldLineWithoutColon() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"));
    }

    @Test
    void rejectsEmptyFieldName() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n"));
    }

    @Test
    void rejectsFieldNameThatIsNotAToken() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nX(y): v\r\n\r\n"));
    }

    @Test
    void rejectsNulInFieldValue() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n"));
    }

    @Test
    void rejectsControlCharacterInFieldValue() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\u001bb\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\u007fb\r\n\r\n"));
    }

    @Test
    void rejectsMissingHostOnHttp11() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"));
    }

    @Test
    void acceptsMissingHostOnHttp10() throws Exception {
        assertEquals(Version.HTTP_1_0, parse("GET / HTTP/1.0\r\n\r\n").version());
    }

    @Test
    void rejectsDuplicateHost() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"));
    }

    @Test
    void rejectsInvalidHostValue() {
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n"));
    }

    @Test
    void acceptsHostWithPortAndIpv6Literal() throws Exception {
        parse("GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
        parse("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
        parse("GET / HTTP/1.1\r\nHost:\r\n\r\n");
    }

    @Test
    void acceptsAbsoluteFormTarget() throws Exception {
        RequestHead head = parse("GET http://example.com/a/./b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertEquals("/a/b", head.target().path());
        assertEquals("1", head.target().query().first("q").orElseThrow());
    }

    @Test
    void acceptsAsteriskFormOnlyForOptions() throws Exception {
        assertEquals("*", parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").target().path());
        assertEquals(Status.BAD_REQUEST, rejection("GET * HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void readsContentLength() throws Exception {
        assertEquals(12, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n").contentLength());
    }

    @Test
    void acceptsRepeatedIdenticalContentLengths() throws Exception {
        assertEquals(5, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").contentLength());
        assertEquals(5, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n").contentLength());
    }

    @Test
    void rejectsTwoContentLengthsThatDiffer() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n"));
    }

    @Test
    void rejectsContentLengthThatIsNotADecimalNumber() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"));
    }

    @Test
    void rejectsContentLengthThatOverflows() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n"));
    }

    @Test
    void answers413WhenContentLengthExceedsMaxBodySize() {
        ByteBuffer in = ByteBuffer.wrap("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        RequestRejected e = assertThrows(RequestRejected.class, () -> new RequestParser(LIMIT, LIMIT, 100).parse(in));
        assertEquals(Status.CONTENT_TOO_LARGE, e.status());
        assertTrue(e.getMessage().contains("--max-body-size"), e.getMessage());
    }

    @Test
    void readsChunkedTransferEncoding() throws Exception {
        assertTrue(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n").chunked());
    }

    @Test
    void rejectsContentLengthAndTransferEncodingTogether() {
        assertEquals(Status.BAD_REQUEST,
                rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void answers501ForUnsupportedTransferCoding() {
        assertEquals(Status.NOT_IMPLEMENTED, rejection("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
        assertEquals(Status.NOT_IMPLEMENTED,
                rejection("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void rejectsTransferEncodingWithoutChunkedLast() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"));
    }

    @Test
    void rejectsChunkedAppliedTwice() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"));
    }

    @Test
    void rejectsTransferEncodingOnHttp10() {
        assertEquals(Status.BAD_REQUEST, rejection("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void answers417ForUnknownExpectation() {
        assertEquals(Status.EXPECTATION_FAILED, rejection("POST / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\n"));
    }

    @Test
    void notes100ContinueOnlyWhenThereIsABody() throws Exception {
        assertTrue(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectContinue());
        assertFalse(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").expectContinue());
    }

    @Test
    void http11PersistsUnlessConnectionClose() throws Exception {
        assertTrue(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n").keepAlive());
    }

    @Test
    void http10PersistsOnlyWhenKeepAliveIsAsked() throws Exception {
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
    }

    @Test
    void acceptsHeaderSectionOfExactlyTheLimit() throws Exception {
        String fields = "Host: h\r\nX: ";
        String section = fields + "a".repeat(LIMIT - fields.length() - 4) + "\r\n\r\n";
        assertEquals(LIMIT, section.length());
        parse("GET / HTTP/1.1\r\n" + section);
    }

    @Test
    void answers431WhenHeaderSectionExceedsLimit() {
        String fields = "Host: h\r\nX: ";
        String section = fields + "a".repeat(LIMIT - fields.length() - 3) + "\r\n\r\n";
        assertEquals(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, rejection("GET / HTTP/1.1\r\n" + section));
    }

    @Test
    void answers431AsSoonAsTheLimitIsCrossedWithoutWaitingForTheEnd() {
        ByteBuffer in = ByteBuffer.wrap(("GET / HTTP/1.1\r\nX: " + "a".repeat(LIMIT)).getBytes(StandardCharsets.US_ASCII));
        RequestRejected e = assertThrows(RequestRejected.class, () -> new RequestParser(LIMIT, LIMIT, 100).parse(in));
        assertEquals(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, e.status());
        assertTrue(e.getMessage().contains("1024 bytes (--max-header-size)"), e.getMessage());
    }

    @Test
    void acceptsRequestLineOfExactlyItsLimitWhateverTheHeaderLimit() throws Exception {
        String line = "GET /" + "a".repeat(LIMIT - 14) + " HTTP/1.1";
        assertEquals(LIMIT, line.length());
        assertEquals(LIMIT - 13, parse(line + "\r\nHost: h\r\n\r\n").target().path().length());
    }

    @Test
    void answers414AsSoonAsTheRequestLineExceedsItsLimit() {
        ByteBuffer in = ByteBuffer.wrap(("GET /" + "a".repeat(LIMIT)).getBytes(StandardCharsets.US_ASCII));
        RequestRejected e = assertThrows(RequestRejected.class, () -> new RequestParser(LIMIT, LIMIT, 100).parse(in));
        assertEquals(Status.URI_TOO_LONG, e.status());
        assertEquals("request line exceeds 1024 bytes (--max-request-line)", e.getMessage());
    }

    @Test
    void countsEmptyLinesBeforeRequestLineTowardsItsLimit() {
        assertEquals(Status.URI_TOO_LONG, rejection("\r\n".repeat(LIMIT)));
    }

    @Test
    void usesTheAuthorityOfAnAbsoluteFormTargetAsHost() throws Exception {
        RequestHead head = parse("GET http://example.com:81/a HTTP/1.1\r\nHost: other.org\r\n\r\n");
        assertEquals(List.of("example.com:81"), head.headers().all("host"));
    }

    @Test
    void rejectsAbsoluteFormTargetWithEmptyOrUserinfoAuthority() {
        assertEquals(Status.BAD_REQUEST, rejection("GET http:///a HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(Status.BAD_REQUEST, rejection("GET http://user@h/a HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void rejectionMessagesNeverQuoteRequestBytes() {
        String marker = "ZQXJ";
        for (String wire : List.of("GET /" + marker + "%zz HTTP/1.1\r\nHost: h\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: " + marker + "/\r\n\r\n",
                "GET / HTTP/1.1\r\n" + marker + " : v\r\n\r\n",
                marker + "( / HTTP/1.1\r\n\r\n",
                "GET / HTTP/9." + marker + "\r\n\r\n")) {
            ByteBuffer in = ByteBuffer.wrap(wire.getBytes(StandardCharsets.US_ASCII));
            RequestRejected e = assertThrows(RequestRejected.class, () -> new RequestParser(LIMIT, LIMIT, 100).parse(in));
            assertFalse(e.getMessage().contains(marker), e.getMessage());
        }
    }
}
