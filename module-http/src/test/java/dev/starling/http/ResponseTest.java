package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseTest {

    @Test
    void okIsUtf8PlainText() {
        Response r = Response.ok("héllo");
        assertEquals(Status.OK, r.status());
        assertEquals("text/plain; charset=utf-8", r.headers().first("content-type").orElseThrow());
        Response.Body.Bytes body = assertInstanceOf(Response.Body.Bytes.class, r.body());
        assertEquals("héllo".getBytes(StandardCharsets.UTF_8).length, body.length());
    }

    @Test
    void textBodyKeepsAContentTypeSetBefore() {
        Response r = Response.of(Status.OK).withHeader("Content-Type", "text/html").withBody("<p>");
        assertEquals(List.of("text/html"), r.headers().all("Content-Type"));
    }

    @Test
    void withHeaderReplacesAndWithAddedHeaderRepeats() {
        Response r = Response.ok("x").withHeader("Content-Type", "application/json")
                .withAddedHeader("Set-Cookie", "a=1").withAddedHeader("Set-Cookie", "b=2");
        assertEquals(List.of("application/json"), r.headers().all("content-type"));
        assertEquals(List.of("a=1", "b=2"), r.headers().all("set-cookie"));
    }

    @Test
    void isImmutable() {
        Response base = Response.of(Status.OK);
        base.withHeader("X", "1");
        assertTrue(base.headers().isEmpty());
    }

    @Test
    void copiesByteBodies() {
        byte[] bytes = {1, 2, 3};
        Response r = Response.of(Status.OK).withBody(bytes);
        bytes[0] = 9;
        assertEquals(1, ((Response.Body.Bytes) r.body()).content().get(0));
    }

    @Test
    void rejectsHeaderValuesThatCouldSplitTheResponse() {
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").withHeader("X", "a\r\nSet-Cookie: evil"));
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").withHeader("X\r\n", "a"));
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").withHeader("X", "\u20ac"));
    }

    @Test
    void rejectsFramingHeadersTheServerOwns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Response.ok("x").withHeader("content-length", "5"));
        assertTrue(e.getMessage().contains("withBody(InputStream, long)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").withHeader("Transfer-Encoding", "chunked"));
    }

    @Test
    void statusOfKnownCodeHasItsReasonAndUnknownCodeAnEmptyOne() {
        assertEquals(Status.NOT_FOUND, Status.of(404));
        assertEquals("Not Found", Status.of(404).reason());
        assertEquals(new Status(299, ""), Status.of(299));
        assertEquals(Status.CONTENT_TOO_LARGE, Response.of(413).status());
    }

    @Test
    void statusRejectsCodesOutside100To599AndBadReasonPhrases() {
        assertThrows(IllegalArgumentException.class, () -> Status.of(99));
        assertThrows(IllegalArgumentException.class, () -> Status.of(600));
        assertThrows(IllegalArgumentException.class, () -> new Status(200, "O\r\nK"));
    }

    @Test
    void statusKnowsWhichCodesForbidContent() {
        assertTrue(Status.NO_CONTENT.forbidsContent());
        assertTrue(Status.NOT_MODIFIED.forbidsContent());
        assertTrue(Status.CONTINUE.forbidsContent());
        assertEquals(false, Status.OK.forbidsContent());
    }
}
