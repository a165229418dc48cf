package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where reads happen to split the bytes must never change what is parsed. */
class ReadBoundaryTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "\r\nGET /a/../b%20c?x=1&y=%E2%82%AC+z HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nX-Tab:\tv \r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\nOPTIONS * HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "DELETE http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\nCookie: a=b; c=d\r\nCookie: e=f\r\n\r\n",
    })
    void parsesTheSameWhenSplitAtEveryByteBoundary(String request) throws Exception {
        byte[] wire = request.getBytes(StandardCharsets.ISO_8859_1);
        List<RequestHead> whole = ParserFeed.parseAll(wire, 8192);
        for (int cut = 1; cut < wire.length; cut++) {
            assertEquals(whole, ParserFeed.parseAll(wire, 8192, cut), "split at byte " + cut);
        }
        assertEquals(whole, ParserFeed.parseAll(wire, 8192, ParserFeed.every(1, wire.length)), "one byte per read");
    }
}
