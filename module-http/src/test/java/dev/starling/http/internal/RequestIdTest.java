package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** X-Request-Id: propagated or generated, given to the handler, echoed, and in the access log line. */
class RequestIdTest {

    private static final Handler ID = request -> Response.ok(request.requestId());

    private static List<WireResponse> serve(Handler handler, String wire) throws IOException {
        return WireResponse.parseAll(Http1ConnectionTest.serve(handler, new MemoryConnection().thenRead(wire)).output());
    }

    @Test
    void propagatesAValidIncomingRequestId() throws Exception {
        WireResponse r = serve(ID, "GET / HTTP/1.1\r\nHost: h\r\nx-request-id: abc-123_Z.:+/=@\r\n\r\n").getFirst();
        assertEquals("abc-123_Z.:+/=@", r.body());
        assertEquals("abc-123_Z.:+/=@", r.header("x-request-id").orElseThrow());
    }

    @Test
    void replacesAnIncomingRequestIdThatIsUnsafeToLog() throws Exception {
        for (String bad : List.of("a b", "a\"b", "x".repeat(129), "")) {
            WireResponse r = serve(ID, "GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: " + bad + "\r\n\r\n").getFirst();
            assertNotEquals(bad, r.body());
            assertTrue(RequestIds.isValid(r.body()), r.body());
        }
    }

    @Test
    void generatesADistinctIdForEachRequestAndEchoesIt() throws Exception {
        List<WireResponse> rs = serve(ID, "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertNotEquals(rs.get(0).body(), rs.get(1).body());
        for (WireResponse r : rs) {
            assertEquals(r.body(), r.header("x-request-id").orElseThrow());
            assertTrue(RequestIds.isValid(r.body()), r.body());
        }
    }

    @Test
    void keepsTheHandlersOwnRequestIdField() throws Exception {
        Handler own = request -> Response.ok("x").withHeader("X-Request-Id", "mine");
        WireResponse r = serve(own, "GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: theirs\r\n\r\n").getFirst();
        assertEquals(List.of("mine"), r.headers().get("x-request-id"));
    }

    @Test
    void writesOneAccessLogLinePerRequestWithTheRequestId() throws Exception {
        List<String> lines = new ArrayList<>();
        MemoryConnection c = new MemoryConnection().thenRead("GET /a?b HTTP/1.1\r\nHost: h\r\nX-Request-Id: r1\r\n\r\n"
                + "HEAD /c HTTP/1.1\r\nHost: h\r\n\r\n");
        new Http1Connection(c, Http1Settings.defaults(), ID, "Starling/test", AccessLog.to(lines::add)).serve();
        assertEquals(2, lines.size(), String.valueOf(lines));
        assertTrue(lines.get(0).matches("worker pid \\d+ connection 42: 127\\.0\\.0\\.1:50000 \"GET /a\\?b HTTP/1\\.1\" 200 2 "
                + "\\d+\\.\\d{3} ms id=r1"), lines.get(0));
        assertTrue(lines.get(1).contains("\"HEAD /c HTTP/1.1\" 200 0 "), lines.get(1));
        assertFalse(lines.get(1).endsWith("id=-"), lines.get(1));
    }

    @Test
    void logsARequestRejectedBeforeItsHeadWithoutARequestLine() throws Exception {
        List<String> lines = new ArrayList<>();
        MemoryConnection c = new MemoryConnection().thenRead("GET /secret HTTP/9.9\r\nHost: h\r\n\r\n");
        new Http1Connection(c, Http1Settings.defaults(), ID, "Starling/test", AccessLog.to(lines::add)).serve();
        assertEquals(1, lines.size());
        assertTrue(lines.getFirst().contains(" \"-\" 505 - ") && lines.getFirst().endsWith(" id=-"), lines.getFirst());
    }

    @Test
    void accessLogIsOffByDefaultAndNamedForOperators() {
        assertFalse(Http1Settings.from(TestContext.of()).accessLog());
        assertTrue(Http1Settings.from(TestContext.of("access-log", "true")).accessLog());
        assertEquals("dev.starling.http.access", AccessLog.LOGGER_NAME);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Http1Settings.from(TestContext.of("access-log", "yes")));
        assertEquals("--access-log must be true or false, was 'yes'", e.getMessage());
    }

    @Test
    void generatedIdsAreOneFixedPrefixAndADecimalCounter() {
        String first = RequestIds.next();
        int dash = first.lastIndexOf('-');
        String prefix = first.substring(0, dash + 1);
        long previous = Long.parseLong(first.substring(dash + 1));
        for (int i = 0; i < 5000; i++) {
            String id = RequestIds.next();
            assertTrue(id.startsWith(prefix) && RequestIds.isValid(id), id);
            long n = Long.parseLong(id.substring(prefix.length()));
            assertTrue(n > previous, id + " after " + previous); // other tests may take ids meanwhile
            assertEquals(Long.toString(n), id.substring(prefix.length()), "no leading zeros");
            previous = n;
        }
    }
}
