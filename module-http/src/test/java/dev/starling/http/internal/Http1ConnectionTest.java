package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The connection loop over an in-memory connection: keep-alive, pipelining, framing, errors. */
class Http1ConnectionTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

    /** Answers "METHOD path body" so each response shows which request it answers. */
    private static final Handler ECHO = request -> Response.ok(request.method() + " " + request.path() + " " + request.text());

    static MemoryConnection serve(Handler handler, MemoryConnection connection) throws IOException {
        return serve(handler, Http1Settings.defaults(), connection);
    }

    static MemoryConnection serve(Handler handler, Http1Settings settings, MemoryConnection connection) throws IOException {
        new Http1Connection(connection, settings, handler, "Starling/test").serve();
        return connection;
    }

    static List<WireResponse> responses(MemoryConnection connection, int... headIndexes) {
        return WireResponse.parseAll(connection.output(), headIndexes);
    }

    @Test
    void servesSeveralRequestsOnOneKeepAliveConnection() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET).thenRead("GET /two HTTP/1.1\r\nHost: h\r\n\r\n"));
        List<WireResponse> responses = responses(c);
        assertEquals(List.of("GET / ", "GET /two "), responses.stream().map(WireResponse::body).toList());
        assertFalse(responses.get(1).closes());
    }

    @Test
    void answersThreePipelinedRequestsInOneReadInOrder() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(
                "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
                + "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(List.of("GET /1 ", "POST /2 body", "GET /3 "), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void everyResponseCarriesDateServerAndALength() throws Exception {
        WireResponse r = responses(serve(ECHO, new MemoryConnection().thenRead(GET))).getFirst();
        assertTrue(r.header("date").orElseThrow().matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                r.header("date").orElseThrow());
        assertEquals("Starling/test", r.header("server").orElseThrow());
        assertEquals("6", r.header("content-length").orElseThrow());
        assertEquals("text/plain; charset=utf-8", r.header("content-type").orElseThrow());
    }

    @Test
    void sendsHeadAndSmallBodyInOneWrite() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET));
        assertEquals(1, c.writeCalls());
    }

    @Test
    void answersPipelinedRequestsReadTogetherInOneWrite() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET + GET + GET));
        assertEquals(1, c.writeCalls(), "three answers, one system call");
        assertEquals(List.of("GET / ", "GET / ", "GET / "), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void sendsPendingAnswersBeforeWaitingForTheRestOfAPipelinedRequest() throws Exception {
        String half = GET.substring(0, 10);
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET + GET + half).thenRead(GET.substring(10)));
        assertEquals(List.of("idle", "read", "busy", "busy", "busy", "write", "read", "write", "idle", "eof"),
                c.events().stream().filter(e -> !e.startsWith("describe")).toList(),
                "the first two answers leave before the connection waits for more bytes");
        assertEquals(3, responses(c).size());
    }

    @Test
    void callsIdleBeforeWaitingAndBusyOnceBytesArrive() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET));
        assertEquals(List.of("idle", "read", "busy", "write", "idle", "eof"), c.events());
        assertEquals(Duration.ofSeconds(5), c.readTimeout());
    }

    @Test
    void answersHeadWithTheLengthOfGetButNoBody() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n" + GET));
        List<WireResponse> responses = responses(c, 0);
        assertEquals("7", responses.get(0).header("content-length").orElseThrow()); // "HEAD / "
        assertEquals("", responses.get(0).body());
        assertEquals("GET / ", responses.get(1).body()); // nothing stray between the two
    }

    @Test
    void answersHeadOfAStreamedBodyWithoutRunningTheWriter() throws Exception {
        boolean[] ran = {false};
        Handler handler = request -> Response.of(Status.OK).withBody(out -> ran[0] = true);
        WireResponse r = responses(serve(handler, new MemoryConnection().thenRead("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")), 0).getFirst();
        assertEquals("chunked", r.header("transfer-encoding").orElseThrow());
        assertFalse(ran[0]);
    }

    @Test
    void aHeadLongerThanTheFirstBufferGrowsItAndTheRequestsAroundItAreAnsweredInOrder() throws Exception {
        // The read buffer starts at Inbound.INITIAL_CAPACITY and grows up to the head limit.
        String big = "GET /big HTTP/1.1\r\nHost: h\r\nX-Big: " + "v".repeat(3 * Inbound.INITIAL_CAPACITY / 2) + "\r\n\r\n";
        String all = GET + big + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n";
        for (boolean oneRead : new boolean[] {true, false}) {
            MemoryConnection input = new MemoryConnection();
            if (oneRead) {
                input.thenRead(all);
            } else {
                for (int i = 0; i < all.length(); i += 1000) {
                    input.thenRead(all.substring(i, Math.min(all.length(), i + 1000)));
                }
            }
            MemoryConnection c = serve(ECHO, input);
            assertEquals(List.of("GET / ", "GET /big ", "GET /after "), responses(c).stream().map(WireResponse::body).toList(),
                    oneRead ? "in one read" : "in reads of 1000 bytes");
        }
    }

    @Test
    void aChunkedBodyLongerThanTheFirstBufferArrivesWhole() throws Exception {
        String data = "0123456789abcdef".repeat(Inbound.INITIAL_CAPACITY / 4); // 4 times the first buffer
        MemoryConnection c = serve(ECHO, new MemoryConnection()
                .thenRead("POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(data.length()) + "\r\n" + data + "\r\n0\r\n\r\n" + GET));
        assertEquals(List.of("POST /up " + data, "GET / "), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void readsAChunkedRequestBody() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection()
                .thenRead("POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n")
                .thenRead("6\r\n world\r\n0\r\nTrailer: x\r\n\r\n" + GET));
        assertEquals(List.of("POST /up hello world", "GET / "), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void discardsTheUnreadBodyBeforeTheNextRequest() throws Exception {
        Handler ignoresBody = request -> Response.ok(request.path());
        MemoryConnection c = serve(ignoresBody, new MemoryConnection()
                .thenRead("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234")
                .thenRead("56789GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
                        + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + GET));
        assertEquals(List.of("/a", "/b", "/c", "/"), responses(c).stream().map(WireResponse::body).toList());
    }

    @Test
    void closesInsteadOfDiscardingALargeUnreadBody() throws Exception {
        Handler ignoresBody = request -> Response.ok("ignored");
        MemoryConnection c = serve(ignoresBody, new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n"));
        assertTrue(responses(c).getFirst().closes());
    }

    @Test
    void rejectsMalformedRequestWith400AndCloses() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost : h\r\n\r\n" + GET));
        List<WireResponse> responses = responses(c);
        assertEquals(1, responses.size(), "nothing may be answered after a malformed request");
        assertEquals(400, responses.getFirst().status());
        assertTrue(responses.getFirst().closes());
        assertTrue(c.outputShut());
    }

    @Test
    void errorBodyNamesTheRuleButNotTheRequestBytes() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET /<script> HTTP/1.1\r\nHost: h\r\nX: a\u0001\r\n\r\n"));
        WireResponse r = responses(c).getFirst();
        assertEquals(400, r.status());
        assertTrue(r.body().startsWith("400 Bad Request: ") && r.body().contains("RFC 9110"), r.body());
        assertFalse(c.output().contains("<script>"));
    }

    @Test
    void answers431WhenTheHeadExceedsTheLimit() throws Exception {
        Http1Settings small = Http1Settings.from(TestContext.of("max-header-size", "256"));
        MemoryConnection c = serve(ECHO, small, new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(300)));
        WireResponse r = responses(c).getFirst();
        assertEquals(431, r.status());
        assertTrue(r.body().contains("256 bytes (--max-header-size)"), r.body());
        assertTrue(r.closes());
    }

    @Test
    void answers505ForAnUnsupportedVersion() throws Exception {
        WireResponse r = responses(serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/2.0\r\nHost: h\r\n\r\n"))).getFirst();
        assertEquals(505, r.status());
        assertTrue(r.closes());
    }

    @Test
    void answers413ForAChunkedBodyOverTheLimit() throws Exception {
        Http1Settings small = Http1Settings.from(TestContext.of("max-body-size", "4"));
        MemoryConnection c = serve(ECHO, small, new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        WireResponse r = responses(c).getFirst();
        assertEquals(413, r.status());
        assertTrue(r.closes());
    }

    @Test
    void answers400ForMalformedChunkedFramingMetWhileTheHandlerReads() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + GET));
        List<WireResponse> responses = responses(c);
        assertEquals(1, responses.size());
        assertEquals(400, responses.getFirst().status());
    }

    @Test
    void turnsAHandlerExceptionInto500WithoutLeakingItsMessage() throws Exception {
        Handler failing = request -> {
            throw new IllegalStateException("secret database password");
        };
        MemoryConnection c = serve(failing, new MemoryConnection().thenRead(GET + GET));
        List<WireResponse> responses = responses(c);
        assertEquals(List.of(500, 500), responses.stream().map(WireResponse::status).toList());
        assertFalse(c.output().contains("secret"));
        assertFalse(c.output().contains("IllegalStateException"));
        assertFalse(responses.getFirst().closes(), "a handler failure does not break the connection's framing");
    }

    @Test
    void turnsANullResponseInto500() throws Exception {
        assertEquals(500, responses(serve(request -> null, new MemoryConnection().thenRead(GET))).getFirst().status());
    }

    @Test
    void answersWithConnectionCloseWhileTheWorkerDrains() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().draining(true).thenRead(GET + GET));
        List<WireResponse> responses = responses(c);
        assertEquals(1, responses.size(), "a draining worker answers the current request only");
        assertTrue(responses.getFirst().closes());
    }

    @Test
    void honoursConnectionCloseFromTheClient() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" + GET));
        List<WireResponse> responses = responses(c);
        assertEquals(1, responses.size());
        assertTrue(responses.getFirst().closes());
    }

    @Test
    void honoursConnectionCloseFromTheHandler() throws Exception {
        Handler closing = request -> Response.ok("bye").withHeader("Connection", "close");
        List<WireResponse> responses = responses(serve(closing, new MemoryConnection().thenRead(GET + GET)));
        assertEquals(1, responses.size());
        assertEquals(List.of("close"), responses.getFirst().headers().get("connection"));
    }

    @Test
    void closesHttp10ConnectionsUnlessKeepAliveIsAsked() throws Exception {
        String get10 = "GET / HTTP/1.0\r\n\r\n";
        assertEquals(1, responses(serve(ECHO, new MemoryConnection().thenRead(get10 + get10))).size());
        String keepAlive = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        List<WireResponse> kept = responses(serve(ECHO, new MemoryConnection().thenRead(keepAlive + keepAlive)));
        assertEquals(2, kept.size());
        assertEquals("keep-alive", kept.getFirst().header("connection").orElseThrow());
    }

    @Test
    void sendsAStreamOfUnknownLengthChunked() throws Exception {
        Handler streaming = request -> Response.of(Status.OK).withBody(new ByteArrayInputStream("streamed".getBytes(StandardCharsets.US_ASCII)));
        List<WireResponse> responses = responses(serve(streaming, new MemoryConnection().thenRead(GET + GET)));
        assertEquals(2, responses.size());
        assertTrue(responses.getFirst().chunked());
        assertEquals("streamed", responses.getFirst().body());
    }

    @Test
    void sendsAWriterBodyChunkedWithTheHeadInTheFirstWrite() throws Exception {
        Handler writing = request -> Response.of(Status.OK).withBody(out -> {
            out.write("one ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write("two".getBytes(StandardCharsets.US_ASCII));
        });
        MemoryConnection c = serve(writing, new MemoryConnection().thenRead(GET));
        assertEquals("one two", responses(c).getFirst().body());
        assertEquals(2, c.writeCalls(), "head with the first chunk, then the second chunk with the last");
    }

    @Test
    void delimitsAStreamedBodyByClosingForHttp10() throws Exception {
        Handler writing = request -> Response.of(Status.OK).withBody(out -> out.write('x'));
        MemoryConnection c = serve(writing, new MemoryConnection().thenRead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        WireResponse r = responses(c).getFirst();
        assertFalse(r.chunked());
        assertTrue(r.header("content-length").isEmpty());
        assertTrue(r.closes());
        assertEquals("x", r.body());
    }

    @Test
    void sendsAStreamOfKnownLengthWithContentLength() throws Exception {
        Handler sized = request -> Response.of(Status.OK).withBody(new ByteArrayInputStream(new byte[20000]), 20000);
        WireResponse r = responses(serve(sized, new MemoryConnection().thenRead(GET))).getFirst();
        assertEquals("20000", r.header("content-length").orElseThrow());
        assertEquals(20000, r.body().length());
    }

    @Test
    void answers500WhenAStreamFailsBeforeAnythingWasSent() throws Exception {
        Handler lying = request -> Response.of(Status.OK).withBody(new ByteArrayInputStream(new byte[10]), 20);
        List<WireResponse> responses = responses(serve(lying, new MemoryConnection().thenRead(GET + GET)));
        assertEquals(List.of(500, 500), responses.stream().map(WireResponse::status).toList());
    }

    @Test
    void abortsTheConnectionWhenAStreamEndsBeforeItsLengthAfterTheHeadWasSent() throws Exception {
        Handler lying = request -> Response.of(Status.OK).withBody(new ByteArrayInputStream(new byte[10000]), 20000);
        MemoryConnection c = serve(lying, new MemoryConnection().thenRead(GET + GET));
        assertTrue(c.output().startsWith("HTTP/1.1 200 OK"));
        assertEquals(1, c.output().split("HTTP/1.1 ").length - 1, "no second response after an aborted one");
        assertTrue(c.output().length() < 20000, "the response is visibly shorter than its Content-Length");
    }

    @Test
    void cutsAChunkedResponseShortWhenItsWriterFails() throws Exception {
        Handler failing = request -> Response.of(Status.OK).withBody(out -> {
            out.write(new byte[9000]);
            throw new IOException("disk gone");
        });
        MemoryConnection c = serve(failing, new MemoryConnection().thenRead(GET + GET));
        assertFalse(c.output().endsWith("0\r\n\r\n"), "no last chunk: the client must see the body incomplete");
        assertFalse(c.output().contains("disk gone"));
    }

    @Test
    void sendsNoContentFieldsWith204And304() throws Exception {
        Handler empty = request -> Response.of(request.path().equals("/a") ? Status.NO_CONTENT : Status.NOT_MODIFIED);
        MemoryConnection c = serve(empty, new MemoryConnection().thenRead(
                "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"));
        List<WireResponse> responses = responses(c);
        assertEquals(List.of(204, 304), responses.stream().map(WireResponse::status).toList());
        assertTrue(responses.stream().noneMatch(r -> r.header("content-length").isPresent() || r.chunked()));
    }

    @Test
    void sends100ContinueWhenTheHandlerFirstReadsTheBody() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").thenRead("hi"));
        List<WireResponse> responses = responses(c);
        assertEquals(List.of(100, 200), responses.stream().map(WireResponse::status).toList());
        assertEquals("POST / hi", responses.get(1).body());
    }

    @Test
    void closesWhenTheHandlerAnswersWithoutReadingABodyHeldForContinue() throws Exception {
        MemoryConnection c = serve(request -> Response.of(Status.FORBIDDEN), new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        List<WireResponse> responses = responses(c);
        assertEquals(List.of(403), responses.stream().map(WireResponse::status).toList());
        assertTrue(responses.getFirst().closes());
    }

    @Test
    void closesQuietlyWhenTheKeepAliveTimeoutPassesBetweenRequests() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead(GET).thenTimeOut().thenRead(GET));
        assertEquals(1, responses(c).size());
        assertFalse(c.allInputRead(), "nothing is read after the idle timeout");
    }

    @Test
    void answers408WhenARequestHeadStalls() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/1.1\r\n").thenTimeOut());
        WireResponse r = responses(c).getFirst();
        assertEquals(408, r.status());
        assertTrue(r.closes());
    }

    @Test
    void answers408WhenABodyStallsWhileTheHandlerReads() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab").thenTimeOut());
        assertEquals(408, responses(c).getFirst().status());
    }

    @Test
    void givesTheHandlerTheAddressesAndVersion() throws Exception {
        Handler describing = request -> Response.ok(request.version() + " " + request.remoteAddress() + " " + request.localAddress());
        WireResponse r = responses(serve(describing, new MemoryConnection().thenRead(GET))).getFirst();
        assertEquals("HTTP/1.1 /127.0.0.1:50000 /127.0.0.1:8080", r.body());
    }

    @Test
    void passesDecodedPathAndQueryToTheHandler() throws Exception {
        Handler describing = request -> Response.ok(request.path() + "|" + request.query().all("a") + "|" + request.target());
        WireResponse r = responses(serve(describing, new MemoryConnection()
                .thenRead("GET /x/%2e%2e/y%20z/?a=1&a=%C3%A9+b HTTP/1.1\r\nHost: h\r\n\r\n"))).getFirst();
        assertEquals("/y z/|[1, é b]|/x/%2e%2e/y%20z/?a=1&a=%C3%A9+b", new String(r.body().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    @Test
    void aClientThatAskedToCloseIsNotLingeredOnWhenNothingMoreCame() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
        assertTrue(responses(c).getFirst().closes());
        assertFalse(c.outputShut(), "a plain close: the client sends nothing more (RFC 9112 §9.6): " + c.events());
    }

    @Test
    void aServerThatEndsTheConnectionLingersSinceTheClientMayHavePipelinedMore() throws Exception {
        MemoryConnection c = new MemoryConnection().thenRead(GET).thenRead(GET);
        new Http1Connection(c, Http1Settings.from(TestContext.of("max-keepalive-reqs", "1")), ECHO, "Starling/test").serve();
        assertTrue(responses(c).getFirst().closes());
        assertTrue(c.outputShut(), "output shut, then the rest read and dropped: " + c.events());
        assertEquals("eof", c.events().getLast(), "read to the end before closing: " + c.events());
    }

    @Test
    void aClientThatAskedToCloseButSentMoreIsLingeredOn() throws Exception {
        MemoryConnection c = serve(ECHO, new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" + GET));
        assertEquals(1, responses(c).size(), "nothing answered after Connection: close");
        assertTrue(c.outputShut(), "bytes were left unread: closing at once could reset the answer: " + c.events());
    }
}
