package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import dev.starling.http.Status;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of issue 4 (RFC 9110, RFC 9112), one test each, named after the rule: raw request
 * bytes go into the whole connection loop and the raw response bytes are read back.
 */
class ConformanceTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

    /** Reads the whole body, then answers "METHOD path host body". */
    private static final Handler ECHO = request -> Response.ok(request.method() + " " + request.path() + " "
            + request.header("Host").orElse("-") + " " + request.text());

    private static MemoryConnection send(String... reads) throws IOException {
        return send(Http1Settings.defaults(), ECHO, reads);
    }

    private static MemoryConnection send(Http1Settings settings, Handler handler, String... reads) throws IOException {
        MemoryConnection connection = new MemoryConnection();
        for (String read : reads) {
            connection.thenRead(read);
        }
        return Http1ConnectionTest.serve(handler, settings, connection);
    }

    private static List<WireResponse> responses(MemoryConnection c, int... headIndexes) {
        return WireResponse.parseAll(c.output(), headIndexes);
    }

    /** The only response, which must be an error that closes the connection. */
    private static WireResponse rejected(MemoryConnection c, int status) {
        List<WireResponse> all = responses(c);
        assertEquals(1, all.size(), "exactly one response, and nothing after a rejected request");
        WireResponse r = all.getFirst();
        assertEquals(status, r.status(), r.body());
        assertTrue(r.closes(), "a rejected request closes the connection");
        assertTrue(c.outputShut());
        return r;
    }

    // --- Request line (RFC 9112 §3) ---

    @Test
    void originFormIsAccepted() throws Exception {
        assertEquals("GET /a/b h ", responses(send("GET /a/./b HTTP/1.1\r\nHost: h\r\n\r\n")).getFirst().body());
    }

    @Test
    void absoluteFormHostWinsOverHostField() throws Exception {
        WireResponse r = responses(send("GET http://example.com:8080/x?q HTTP/1.1\r\nHost: other.org\r\n\r\n")).getFirst();
        assertEquals("GET /x example.com:8080 ", r.body());
    }

    @Test
    void optionsAsteriskIsAccepted() throws Exception {
        assertEquals("OPTIONS * h ", responses(send("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")).getFirst().body());
    }

    @Test
    void asteriskFormWithAnotherMethodGets400() throws Exception {
        rejected(send("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    }

    @Test
    void malformedMethodGets400() throws Exception {
        rejected(send("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    }

    @Test
    void malformedVersionGets400() throws Exception {
        rejected(send("GET / http/1.1\r\nHost: h\r\n\r\n"), 400);
    }

    @Test
    void versionOtherThan10Or11Gets505() throws Exception {
        rejected(send("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
    }

    @Test
    void requestLineOverMaxRequestLineGets414() throws Exception {
        Http1Settings settings = Http1Settings.from(TestContext.of("max-request-line", "100"));
        WireResponse r = rejected(send(settings, ECHO, "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: h\r\n\r\n"), 414);
        assertTrue(r.body().contains("100 bytes (--max-request-line)"), r.body());
    }

    @Test
    void requestLineOverDefaultMaxRequestLineGets414() throws Exception {
        rejected(send("GET /" + "a".repeat(8192) + " HTTP/1.1\r\nHost: h\r\n\r\n"), 414);
    }

    // --- Header fields (RFC 9112 §3.2, §5; RFC 9110 §5.5) ---

    @Test
    void http11WithoutHostGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), 400);
    }

    @Test
    void twoHostFieldsGet400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    }

    @Test
    void whitespaceBetweenFieldNameAndColonGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: h\r\nAccept : */*\r\n\r\n"), 400);
    }

    @Test
    void obsFoldGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n"), 400);
    }

    @Test
    void nulInFieldValueGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n"), 400);
    }

    @Test
    void crInFieldValueGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n"), 400);
    }

    @Test
    void otherControlInFieldValueGets400() throws Exception {
        rejected(send("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u001bb\r\n\r\n"), 400);
    }

    @Test
    void headerSectionOverMaxHeaderSizeGets431() throws Exception {
        WireResponse r = rejected(send("GET / HTTP/1.1\r\nHost: h\r\nX-A: " + "a".repeat(8192) + "\r\n\r\n"), 431);
        assertTrue(r.body().contains("8192 bytes (--max-header-size)"), r.body());
    }

    // --- Framing (RFC 9112 §6, §7) ---

    @Test
    void contentLengthWithTransferEncodingGets400AndCloses() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + GET), 400);
    }

    @Test
    void differingContentLengthsGet400() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"), 400);
    }

    @Test
    void invalidContentLengthGets400() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc"), 400);
    }

    @Test
    void transferEncodingWhoseLastCodingIsNotChunkedGets400() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"), 400);
    }

    @Test
    void unknownTransferCodingGets501() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
    }

    @Test
    void chunkSizesAreHex() throws Exception {
        MemoryConnection c = send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n");
        assertEquals("POST / h 0123456789", responses(c).getFirst().body());
    }

    @Test
    void chunkSizeThatOverflowsGets400() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1" + "0".repeat(16) + "\r\n"), 400);
    }

    @Test
    void chunkExtensionsAreSkipped() throws Exception {
        MemoryConnection c = send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2;name=value;x=\"quoted\"\r\nhi\r\n0;last\r\n\r\n");
        assertEquals("POST / h hi", responses(c).getFirst().body());
    }

    @Test
    void chunkExtensionsOverTheirBoundGet400() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;x=" + "a".repeat(5000) + "\r\n"), 400);
    }

    @Test
    void trailersAreReadAndDiscarded() throws Exception {
        MemoryConnection c = send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\nX-Checksum: 1\r\n\r\n" + GET);
        assertEquals(List.of("POST / h hi", "GET / h "), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void trailersOverMaxHeaderSizeGet431() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\nX-T: " + "a".repeat(8192) + "\r\n\r\n"), 431);
    }

    @Test
    void bodyOverMaxBodySizeGets413WithoutReadingIt() throws Exception {
        Http1Settings settings = Http1Settings.from(TestContext.of("max-body-size", "10"));
        MemoryConnection c = new MemoryConnection().thenRead("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n");
        for (int i = 0; i < 100; i++) {
            c.thenRead("x".repeat(1000));
        }
        Http1ConnectionTest.serve(ECHO, settings, c);
        WireResponse r = rejected(c, 413);
        assertTrue(r.body().contains("10 bytes (--max-body-size)"), r.body());
        assertFalse(c.allInputRead(), "the body is not read to its end");
    }

    @Test
    void bareLfIsRejectedInTheHead() throws Exception {
        rejected(send("GET / HTTP/1.1\nHost: h\n\n"), 400);
    }

    @Test
    void bareLfIsRejectedInChunkedFraming() throws Exception {
        rejected(send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n"), 400);
    }

    @Test
    void bareCrIsRejected() throws Exception {
        rejected(send("GET / HTTP/1.1\rHost: h\r\n\r\n"), 400);
    }

    // --- Expect: 100-continue (RFC 9110 §10.1.1) ---

    @Test
    void continueIsSentOnlyWhenTheHandlerReadsTheBody() throws Exception {
        MemoryConnection c = send("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", "hi");
        assertEquals(List.of(100, 200), responses(c).stream().map(WireResponse::status).toList());
    }

    @Test
    void continueIsNotSentWhenTheHandlerAnswersWithoutReadingAndTheConnectionCloses() throws Exception {
        MemoryConnection c = send(Http1Settings.defaults(), request -> Response.of(Status.UNAUTHORIZED),
                "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        List<WireResponse> all = responses(c);
        assertEquals(List.of(401), all.stream().map(WireResponse::status).toList());
        assertTrue(all.getFirst().closes());
    }

    // --- Responses (RFC 9110 §6.4.1, §6.6.1; RFC 9112 §6, §9.3) ---

    @Test
    void noBodyForHead() throws Exception {
        MemoryConnection c = send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n" + GET);
        List<WireResponse> all = responses(c, 0);
        assertEquals("9", all.getFirst().header("content-length").orElseThrow()); // what GET would send: "HEAD / h "
        assertEquals("GET / h ", all.get(1).body(), "nothing stray between the two responses");
    }

    @Test
    void noBodyFor1xx() throws Exception {
        MemoryConnection c = send("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", "hi");
        assertTrue(c.output().startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 "), c.output());
    }

    @Test
    void noBodyFor204And304() throws Exception {
        Handler empty = request -> Response.of(request.path().equals("/a") ? Status.NO_CONTENT : Status.NOT_MODIFIED)
                .withBody("ignored");
        List<WireResponse> all = responses(send(Http1Settings.defaults(), empty,
                "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n" + GET));
        assertEquals(List.of(204, 304, 304), all.stream().map(WireResponse::status).toList());
        assertTrue(all.stream().allMatch(r -> r.body().isEmpty() && r.header("content-length").isEmpty()));
    }

    @Test
    void exactlyOneOfContentLengthOrChunked() throws Exception {
        Handler both = request -> request.path().equals("/s")
                ? Response.of(Status.OK).withBody(out -> out.write('s'))
                : Response.ok("fixed");
        List<WireResponse> all = responses(send(Http1Settings.defaults(), both,
                "GET /s HTTP/1.1\r\nHost: h\r\n\r\nGET /f HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(all.get(0).chunked() && all.get(0).header("content-length").isEmpty());
        assertTrue(!all.get(1).chunked() && all.get(1).header("content-length").isPresent());
    }

    @Test
    void dateOnEveryResponse() throws Exception {
        assertTrue(responses(send(GET)).getFirst().header("date").isPresent());
        assertTrue(rejected(send("GET / HTTP/2.0\r\n\r\n"), 505).header("date").isPresent());
    }

    @Test
    void connectionCloseFromTheClientIsHonoured() throws Exception {
        WireResponse r = rejectedOrOnly(send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" + GET));
        assertTrue(r.closes());
    }

    @Test
    void connectionCloseFromTheHandlerIsHonoured() throws Exception {
        Handler closing = request -> Response.ok("bye").withHeader("Connection", "close");
        assertTrue(rejectedOrOnly(send(Http1Settings.defaults(), closing, GET + GET)).closes());
    }

    @Test
    void http10KeepAliveOnlyWhenAskedFor() throws Exception {
        assertTrue(rejectedOrOnly(send("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n")).closes());
        String asking = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        List<WireResponse> kept = responses(send(asking + asking));
        assertEquals(2, kept.size());
        assertEquals("keep-alive", kept.getFirst().header("connection").orElseThrow());
    }

    // --- Pipelining (RFC 9112 §9.3.2) ---

    @Test
    void pipelinedRequestsInOneReadAreAnsweredInOrder() throws Exception {
        MemoryConnection c = send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx"
                + "HEAD /3 HTTP/1.1\r\nHost: h\r\n\r\nGET /4 HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(List.of("GET /1 h ", "POST /2 h x", "", "GET /4 h "),
                responses(c, 2).stream().map(WireResponse::body).toList());
    }

    @Test
    void noResponseIsWrittenAfterARejectedRequest() throws Exception {
        rejected(send("GET /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" + GET + GET), 400);
    }

    /** The only response on a connection that closed after it. */
    private static WireResponse rejectedOrOnly(MemoryConnection c) {
        List<WireResponse> all = responses(c);
        assertEquals(1, all.size(), "one response, then the connection closes");
        return all.getFirst();
    }
}
