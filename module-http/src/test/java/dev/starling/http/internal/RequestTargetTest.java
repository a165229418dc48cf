package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding and normalizing request-targets: the policy in RequestTarget's documentation. */
class RequestTargetTest {

    static String path(String target) {
        return RequestTarget.parse(target, "GET").path();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '>', value = {
        "/ > /",
        "/a/b > /a/b",
        "/a/b/ > /a/b/",
        "/a/./b > /a/b",
        "/a/../b > /b",
        "/a/b/.. > /a/",
        "/a/b/. > /a/b/",
        "/.. > /",
        "/../../etc/passwd > /etc/passwd",
        "/a//b > /a/b",
        "//a > /a",
        "/%2e%2e/%2E%2E/x > /x",
        "/a/%2e/b > /a/b",
        "/a%2Fb > /a/b",
        "/a%2f..%2f..%2fb > /b",
        "/a\\b > /a/b",
        "/a\\..\\..\\b > /b",
        "/a%5C..%5cb > /b",
        "/a%20b > /a b",
        "/%C3%A9t%C3%A9 > /été",
        "/a+b > /a+b",
        "/%252e%252e/x > /%2e%2e/x",
        "/.a/..b/... > /.a/..b/...",
    })
    void normalizes(String target, String expected) {
        assertEquals(expected, path(target));
    }

    @Test
    void keepsRawTargetAndQuery() {
        RequestTarget t = RequestTarget.parse("/p%20q?a=1&b=x+y&a=%26", "GET");
        assertEquals("/p%20q?a=1&b=x+y&a=%26", t.raw());
        assertEquals("a=1&b=x+y&a=%26", t.rawQuery());
        assertEquals(List.of("1", "&"), t.query().all("a"));
        assertEquals("x y", t.query().first("b").orElseThrow());
    }

    @Test
    void dropsSchemeAndAuthorityOfAbsoluteForm() {
        assertEquals("/", path("http://example.com"));
        assertEquals("/x", path("HTTPS://example.com:8443/x"));
        assertEquals("1", RequestTarget.parse("http://h?q=1", "GET").query().first("q").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "example.com:80", "/a%", "/a%2", "/a%g0", "/%C3", "/%FF", "/%C0%AF", "/a%00b",
        "/a%0Ab", "/a%7f", "/a#frag", "/a b", "/caf\u00e9", "/a\u0000", "/?q=%zz", "/?q=%E9", "*"})
    void rejectsWithTheDocumentedException(String target) {
        assertThrows(MalformedTargetException.class, () -> RequestTarget.parse(target, "GET"));
    }

    @Test
    void acceptsAsteriskForOptions() {
        assertEquals("*", RequestTarget.parse("*", "OPTIONS").path());
    }

    @Test
    void percentEncodesEverythingButUnreservedCharacters() {
        assertEquals("a-._~%20%2F%25%2B%C3%A9%F0%9F%90%A6", PercentCodec.encode("a-._~ /%+é\uD83D\uDC26"));
    }

    @Test
    void decodesPlusAsSpaceOnlyInQueries() {
        assertEquals("a b", PercentCodec.decode("a+b", true));
        assertEquals("a+b", PercentCodec.decode("a+b", false));
    }

    @Test
    void refusesToEncodeAnUnpairedSurrogate() {
        assertThrows(IllegalArgumentException.class, () -> PercentCodec.encode("\uD800"));
    }
}
