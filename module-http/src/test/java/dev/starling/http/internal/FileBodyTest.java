package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Response.withBody(Path): sent with Connection.transferFrom, framed by the file's size at send time. */
class FileBodyTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void sendsTheFileWithTransferFromAndItsLength() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "x".repeat(100_000));
        Handler handler = request -> Response.of(200).withHeader("Content-Type", "text/plain").withBody(file);
        MemoryConnection c = Http1ConnectionTest.serve(handler, new MemoryConnection().thenRead(GET + GET));
        List<WireResponse> rs = WireResponse.parseAll(c.output());
        assertEquals(2, rs.size(), "the connection persists after a file");
        assertEquals("100000", rs.getFirst().header("content-length").orElseThrow());
        assertEquals("x".repeat(100_000), rs.getFirst().body());
        assertTrue(c.events().contains("transfer"), c.events().toString());
    }

    @Test
    void doesNotGuessTheContentType() throws Exception {
        Path file = Files.writeString(dir.resolve("page.html"), "<p>");
        MemoryConnection c = Http1ConnectionTest.serve(request -> Response.of(200).withBody(file), new MemoryConnection().thenRead(GET));
        assertTrue(WireResponse.parseAll(c.output()).getFirst().header("content-type").isEmpty());
    }

    @Test
    void sendsOnlyTheLengthForHead() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        MemoryConnection c = Http1ConnectionTest.serve(request -> Response.of(200).withBody(file),
                new MemoryConnection().thenRead("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n" + GET));
        List<WireResponse> rs = WireResponse.parseAll(c.output(), 0);
        assertEquals("5", rs.getFirst().header("content-length").orElseThrow());
        assertEquals("hello", rs.get(1).body());
        assertEquals(1, c.events().stream().filter("transfer"::equals).count());
    }

    @Test
    void answers500WithoutDetailsWhenTheFileCannotBeOpened() throws Exception {
        Path missing = dir.resolve("secret-name.txt");
        MemoryConnection c = Http1ConnectionTest.serve(request -> Response.of(200).withBody(missing),
                new MemoryConnection().thenRead(GET + GET));
        List<WireResponse> rs = WireResponse.parseAll(c.output());
        assertEquals(List.of(500, 500), rs.stream().map(WireResponse::status).toList());
        assertFalse(c.output().contains("secret-name"));
        MemoryConnection d = Http1ConnectionTest.serve(request -> Response.of(200).withBody(dir), new MemoryConnection().thenRead(GET));
        assertEquals(500, WireResponse.parseAll(d.output()).getFirst().status(), "a directory is not sent");
    }

    @Test
    void readsTheFileAsItIsWhenSent() throws Exception {
        Path file = dir.resolve("changing.txt");
        Files.writeString(file, "one");
        Response response = Response.of(200).withBody(file);
        MemoryConnection first = Http1ConnectionTest.serve(request -> response, new MemoryConnection().thenRead(GET));
        Files.write(file, "three".getBytes(StandardCharsets.US_ASCII));
        MemoryConnection second = Http1ConnectionTest.serve(request -> response, new MemoryConnection().thenRead(GET));
        assertEquals("one", WireResponse.parseAll(first.output()).getFirst().body());
        assertEquals("three", WireResponse.parseAll(second.output()).getFirst().body());
    }
}
