package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTest {

    @Test
    void ofParsesTheTargetAsTheServerWould() {
        Request r = Request.of("GET", "/a/../b%20c?x=1&y=2&x=3");
        assertEquals("/b c", r.path());
        assertEquals(List.of("1", "3"), r.query().all("x"));
        assertEquals("/a/../b%20c?x=1&y=2&x=3", r.target());
        assertEquals(Version.HTTP_1_1, r.version());
    }

    @Test
    void ofRejectsATargetTheServerWouldAnswer400() {
        assertThrows(IllegalArgumentException.class, () -> Request.of("GET", "/%zz"));
    }

    @Test
    void readsBodyAsBytesAndText() throws Exception {
        Request r = Request.of("POST", "/").withHeaders(Headers.of("Content-Type", "text/plain")).withBody("héllo".getBytes(StandardCharsets.UTF_8));
        assertEquals("héllo", r.text());
        assertEquals("text/plain", r.header("content-type").orElseThrow());
    }

    @Test
    void queryParametersParseFormEncoding() {
        QueryParameters q = QueryParameters.parse("a=1&&b=x+y&c&a=%C3%A9&=v");
        assertEquals(List.of(Map.entry("a", "1"), Map.entry("b", "x y"), Map.entry("c", ""), Map.entry("a", "é"), Map.entry("", "v")),
                q.entries());
        assertEquals("1", q.first("a").orElseThrow());
        assertEquals(List.of("a", "b", "c", ""), List.copyOf(q.names()));
    }

    @Test
    void queryParametersRejectMalformedEscapes() {
        assertThrows(IllegalArgumentException.class, () -> QueryParameters.parse("a=%"));
        assertThrows(IllegalArgumentException.class, () -> QueryParameters.parse("a=%FF"));
    }
}
