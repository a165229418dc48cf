package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RequestParserProperties {

    /** Describes everything the handler was given, so that any parsing difference shows in the output. */
    private static final Handler DESCRIBE = request -> Response.ok(request.method() + " " + request.path()
            + " " + request.query().entries() + " " + request.version() + " " + request.headers() + " [" + request.text() + "]");

    /** One request: its head, and its body as framed on the wire (possibly empty). */
    record Sample(String head, String framedBody) {
    }

    @Provide
    Arbitrary<List<Sample>> wellFormedRequests() {
        return wellFormedRequest().list().ofMinSize(1).ofMaxSize(3);
    }

    private Arbitrary<Sample> wellFormedRequest() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "X-CUSTOM");
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("", ".", "..", "%2e%2e", "a%20b", "%C3%A9"),
                Arbitraries.strings().alpha().numeric().ofMaxLength(6));
        Arbitrary<String> path = segment.list().ofMaxSize(4).map(s -> "/" + String.join("/", s));
        Arbitrary<String> query = Arbitraries.strings().alpha().ofMaxLength(3).list().ofMaxSize(3)
                .map(words -> words.isEmpty() ? "" : "?" + words.stream().map(w -> w + "=" + w + "+1").collect(Collectors.joining("&")));
        Arbitrary<String> name = Arbitraries.of("Accept", "X-Test", "x-test", "Cookie", "User-Agent", "A1!#$%&'*+-.^_`|~");
        Arbitrary<String> value = Arbitraries.strings().withCharRange(' ', '~').withChars('\t', '\u00e9').ofMaxLength(12);
        Arbitrary<List<Map.Entry<String, String>>> fields = Combinators.combine(name, value).as(Map::entry).list().ofMaxSize(4);
        Arbitrary<String> ows = Arbitraries.of("", " ", "\t", "  ");
        Arbitrary<String> body = Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(40);
        Arbitrary<Integer> framing = Arbitraries.integers().between(0, 2); // none, Content-Length, chunked
        Arbitrary<Integer> chunkSize = Arbitraries.integers().between(1, 9);
        return Combinators.combine(method, path, query, fields, ows, body, framing, chunkSize)
                .as((m, p, q, f, space, b, fr, size) -> {
                    StringBuilder sb = new StringBuilder();
                    sb.append(m).append(' ').append(p).append(q).append(" HTTP/1.1\r\nHost: example.com\r\n");
                    for (Map.Entry<String, String> field : f) {
                        sb.append(field.getKey()).append(':').append(space).append(field.getValue()).append(space).append("\r\n");
                    }
                    StringBuilder framed = new StringBuilder();
                    switch (fr) {
                        case 1 -> {
                            sb.append("Content-Length: ").append(b.length()).append("\r\n");
                            framed.append(b);
                        }
                        case 2 -> {
                            sb.append("Transfer-Encoding: chunked\r\n");
                            for (int i = 0; i < b.length(); i += size) {
                                String chunk = b.substring(i, Math.min(b.length(), i + size));
                                framed.append(Integer.toHexString(chunk.length())).append(";x=y\r\n").append(chunk).append("\r\n");
                            }
                            framed.append("0\r\nX-Trailer: t\r\n\r\n");
                        }
                        default -> {
                            // no body
                        }
                    }
                    return new Sample(sb.append("\r\n").toString(), framed.toString());
                });
    }

    @Property(tries = 300)
    void parsesTheSameWhateverTheReadBoundaries(@ForAll("wellFormedRequests") List<Sample> requests,
                                                @ForAll @IntRange(min = 1, max = 64) int readSize) throws IOException {
        String wire = requests.stream().map(r -> r.head() + r.framedBody()).collect(Collectors.joining());
        String whole = serve(wire, wire.length());
        assertFalse(Pattern.compile("(?m)^HTTP/1\\.1 [45]").matcher(whole).find(), whole);
        assertEquals(whole, serve(wire, readSize));
    }

    @Property(tries = 300)
    void headsParseTheSameWhateverTheReadBoundaries(@ForAll("wellFormedRequests") List<Sample> requests,
                                                    @ForAll @IntRange(min = 1, max = 64) int readSize) throws RequestRejected {
        // The parser alone reads heads only, so give it the heads back to back.
        byte[] heads = requests.stream().map(Sample::head).collect(Collectors.joining()).getBytes(StandardCharsets.ISO_8859_1);
        List<RequestHead> whole = ParserFeed.parseAll(heads, 8192);
        assertEquals(requests.size(), whole.size());
        assertEquals(whole, ParserFeed.parseAll(heads, 8192, ParserFeed.every(readSize, heads.length)));
    }

    /** Serves {@code wire} arriving in reads of {@code readSize} bytes; the output without its Date and generated id lines. */
    private static String serve(String wire, int readSize) throws IOException {
        MemoryConnection connection = new MemoryConnection();
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += readSize) {
            byte[] chunk = new byte[Math.min(readSize, bytes.length - i)];
            System.arraycopy(bytes, i, chunk, 0, chunk.length);
            connection.thenRead(chunk);
        }
        new Http1Connection(connection, Http1Settings.defaults(), DESCRIBE, "Starling/test").serve();
        return connection.output().replaceAll("(Date|X-Request-Id): [^\r]*\r\n", "");
    }
}
