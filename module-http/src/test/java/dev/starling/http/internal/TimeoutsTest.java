package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --header-timeout, --body-timeout, --keepalive-timeout and --max-keepalive-reqs, on a clock only reads move. */
class TimeoutsTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    private static final Handler READS_BODY = request -> Response.ok(request.text());

    private static MemoryConnection serve(MemoryConnection c, String... settings) throws IOException {
        new Http1Connection(c, Http1Settings.from(TestContext.of(settings)), READS_BODY, "Starling/test", null, c::nanoTime)
                .serve();
        return c;
    }

    @Test
    void slowlorisGets408AndACloseWhenTheHeadTakesLongerThanTheHeaderTimeout() throws Exception {
        MemoryConnection c = new MemoryConnection().readsTake(Duration.ofSeconds(1)).thenRead("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 10; i++) {
            c.thenRead("X-" + i + ": a\r\n"); // each line arrives well within any per-read timeout
        }
        c.thenRead("Host: h\r\n\r\n");
        serve(c, "header-timeout", "3");
        List<WireResponse> rs = WireResponse.parseAll(c.output());
        assertEquals(1, rs.size());
        assertEquals(408, rs.getFirst().status());
        assertTrue(rs.getFirst().body().contains("3 s (--header-timeout)"), rs.getFirst().body());
        assertTrue(rs.getFirst().closes());
        List<String> beforeAnswer = c.events().subList(0, c.events().indexOf("write"));
        assertEquals(4, beforeAnswer.stream().filter("read"::equals).count(),
                "answered once 3 s had passed, not waiting for the 8 lines still to come: " + c.events());
    }

    @Test
    void eachReadOfAHeadWaitsAtMostWhatIsLeftOfTheHeaderTimeout() throws Exception {
        MemoryConnection c = new MemoryConnection().readsTake(Duration.ofSeconds(1))
                .thenRead("GET / HTTP/1.1\r\n").thenRead("Host: h\r\n").thenRead("\r\n");
        serve(c, "header-timeout", "5", "keepalive-timeout", "7");
        assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(7)),
                c.timeoutsSet(), "idle wait, then the header deadline shrinking, then idle again");
        assertEquals(200, WireResponse.parseAll(c.output()).getFirst().status());
    }

    @Test
    void aStalledBodyGets408NamingTheBodyTimeout() throws Exception {
        MemoryConnection c = new MemoryConnection()
                .thenRead("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab").thenTimeOut();
        serve(c, "body-timeout", "9");
        assertTrue(c.timeoutsSet().contains(Duration.ofSeconds(9)), "body reads wait --body-timeout: " + c.timeoutsSet());
        WireResponse r = WireResponse.parseAll(c.output()).getFirst();
        assertEquals(408, r.status());
        assertTrue(r.body().contains("9 s (--body-timeout)"), r.body());
        assertTrue(r.closes());
    }

    @Test
    void requestsWithoutBodySetNoTimeoutBetweenThem() throws Exception {
        MemoryConnection c = serve(new MemoryConnection().thenRead(GET).thenRead(GET).thenRead(GET));
        assertEquals(3, WireResponse.parseAll(c.output()).size());
        assertEquals(List.of(Duration.ofSeconds(5)), c.timeoutsSet(), "the keep-alive timeout is set once");
    }

    @Test
    void theLastRequestAllowedByMaxKeepaliveReqsGetsConnectionClose() throws Exception {
        MemoryConnection c = serve(new MemoryConnection().thenRead(GET + GET + GET), "max-keepalive-reqs", "2");
        List<WireResponse> rs = WireResponse.parseAll(c.output());
        assertEquals(2, rs.size());
        assertFalse(rs.get(0).closes());
        assertTrue(rs.get(1).closes());
    }

    @Test
    void timeoutSettingsHaveSafeDefaults() {
        Http1Settings defaults = Http1Settings.from(TestContext.of());
        assertEquals(Duration.ofSeconds(10), defaults.headerTimeout());
        assertEquals(Duration.ofSeconds(30), defaults.bodyTimeout());
        assertEquals(Duration.ofSeconds(5), defaults.keepAliveTimeout());
        assertEquals(1000, defaults.maxKeepAliveRequests());
    }
}
