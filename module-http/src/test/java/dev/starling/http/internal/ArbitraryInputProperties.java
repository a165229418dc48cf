package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever bytes a client sends, in whatever reads, the connection loop ends: every byte it wrote
 * is a complete, well-formed response, an error answer is the last one and says
 * {@code Connection: close}, and a client that trickles bytes never holds the loop past
 * {@code --header-timeout} without an answer.
 *
 * <p>The input mixes random bytes with the tokens that matter to HTTP framing (CR, LF, colons,
 * lengths, chunk sizes, valid request lines), so that most runs get well past the request line.
 */
class ArbitraryInputProperties {

    /** Answers that come from the engine rejecting the input, never from the handler below. */
    private static final Set<Integer> REJECTIONS = Set.of(400, 408, 413, 414, 417, 431, 501, 505);

    /** Reads the whole body, as a handler that uses it would, and answers its length. */
    private static final Handler READS_BODY = request -> Response.ok(Integer.toString(request.bytes().length));

    private static final List<String> TOKENS = List.of(
            "GET / HTTP/1.1\r\n", "POST /p HTTP/1.1\r\n", "GET /old HTTP/1.0\r\n", "GET http://a/b HTTP/1.1\r\n",
            "OPTIONS * HTTP/1.1\r\n", "GET / HTTP/2.0\r\n", "Host: h\r\n", "Host: h\r\nHost: i\r\n",
            "Content-Length: 3\r\n", "Content-Length: 3, 4\r\n", "Content-Length: -1\r\n",
            "Content-Length: 99999999999999999999\r\n", "Transfer-Encoding: chunked\r\n",
            "Transfer-Encoding: gzip\r\n", "Expect: 100-continue\r\n", "Connection: close\r\n",
            "Connection: keep-alive\r\n", "X: a\r\n", " folded\r\n", "Bad Name: x\r\n", "\r\n", "\r\n\r\n", "\r", "\n",
            ":", " ", "\t", "\0", "abc", "3\r\nabc\r\n", "0\r\n\r\n", "ffffffffffffffffff\r\n", "5;ext=1\r\nhello\r\n",
            "\u00ff", "%00", "/../..");

    @Provide
    Arbitrary<List<byte[]>> reads() {
        Arbitrary<String> token = Arbitraries.of(TOKENS);
        Arbitrary<String> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12)
                .map(b -> new String(b, StandardCharsets.ISO_8859_1));
        Arbitrary<String> piece = Arbitraries.frequencyOf(Tuple.of(6, token), Tuple.of(1, noise));
        // Mostly requests that are nearly right, so that inputs get past the request line, into
        // bodies, pipelines and second requests; a piece of noise or a stray token goes anywhere.
        Arbitrary<String> request = Combinators.combine(
                        Arbitraries.of("GET / HTTP/1.1\r\n", "POST /p HTTP/1.1\r\n", "GET /old HTTP/1.0\r\n"),
                        Arbitraries.of("Host: h\r\n", "Host: h\r\nConnection: keep-alive\r\n", "Host: h\r\nConnection: close\r\n"),
                        Arbitraries.of("", "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n",
                                "Expect: 100-continue\r\nContent-Length: 3\r\n"),
                        Arbitraries.of("\r\n", "\r\nabc", "\r\n3\r\nabc\r\n0\r\n\r\n"))
                .as((line, host, framing, rest) -> line + host + framing + rest);
        Arbitrary<String> mutated = Combinators.combine(request, Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(List.<String>of())),
                        Tuple.of(2, piece.list().ofMinSize(1).ofMaxSize(2))), Arbitraries.doubles().between(0, 1))
                .as((r, inserts, where) -> {
                    StringBuilder b = new StringBuilder(r);
                    inserts.forEach(i -> b.insert((int) (where * b.length()), i));
                    return b.toString();
                });
        Arbitrary<String> wire = Arbitraries.frequencyOf(Tuple.of(4, mutated), Tuple.of(1, piece))
                .list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("", parts));
        // Split the wire at arbitrary points: one read may end inside a token or hold several requests.
        return Combinators.combine(wire, Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(20))
                .as(ArbitraryInputProperties::split);
    }

    private static List<byte[]> split(String wire, List<Integer> sizes) {
        byte[] all = wire.getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> reads = new java.util.ArrayList<>();
        int at = 0;
        for (int i = 0; at < all.length; i++) {
            int size = Math.min(sizes.get(i % sizes.size()), all.length - at);
            reads.add(java.util.Arrays.copyOfRange(all, at, at + size));
            at += size;
        }
        return reads;
    }

    @Property(tries = 400)
    void arbitraryInputEndsInCompleteResponsesAndNoAnswerFollowsARejection(@ForAll("reads") List<byte[]> reads) {
        MemoryConnection c = new MemoryConnection();
        reads.forEach(c::thenRead);
        serveBounded(c, "header-timeout", "5");
        List<WireResponse> responses = assertWellFormed(c);
        // The report shows how far inputs get: how many answers, and how the last one ended.
        Statistics.label("answers").collect(Math.min(responses.size(), 3));
        Statistics.label("last status").collect(responses.isEmpty() ? 0 : responses.getLast().status());
    }

    @Property(tries = 200)
    void aClientThatTricklesGetsCompleteAnswersAndTimeoutsNameTheirFlag(@ForAll("reads") List<byte[]> reads,
                                                                        @ForAll @IntRange(min = 1, max = 3) int secondsPerRead) {
        MemoryConnection c = new MemoryConnection().readsTake(Duration.ofSeconds(secondsPerRead));
        reads.forEach(c::thenRead);
        serveBounded(c, "header-timeout", "4", "body-timeout", "4");
        for (WireResponse r : assertWellFormed(c)) {
            if (r.status() == 408) {
                assertTrue(r.body().contains("--header-timeout") || r.body().contains("--body-timeout"), r.body());
            }
        }
    }

    /**
     * The same inputs, served with a non-blocking handler over a connection that lends its waits
     * to an (emulated) event loop: the bytes on the wire are the same as when the connection's
     * thread serves everything, request ids and dates aside; split as generated, and all in one
     * read (the whole pipeline at once, where the loop can take the most).
     */
    @Property(tries = 300)
    void servingOnTheEventLoopChangesNothingOnTheWire(@ForAll("reads") List<byte[]> reads) {
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        reads.forEach(whole::writeBytes);
        int onLoop = 0;
        for (List<byte[]> chunks : List.of(reads, List.of(whole.toByteArray()))) {
            MemoryConnection onThread = new MemoryConnection();
            chunks.forEach(onThread::thenRead);
            serveBounded(onThread, READS_BODY, "header-timeout", "5");
            MemoryConnection loop = new MemoryConnection().withEventLoop();
            chunks.forEach(loop::thenRead);
            serveBounded(loop, NON_BLOCKING_READS_BODY, "header-timeout", "5");
            assertEquals(withoutIdsAndDates(onThread.output()), withoutIdsAndDates(loop.output()));
            assertWellFormed(loop);
            onLoop += loop.handledOnEventLoop();
        }
        Statistics.label("requests handled on the loop").collect(Math.min(onLoop, 3));
    }

    @Property(tries = 300)
    void theReadBuffersFirstSizeChangesNothingOnTheWire(@ForAll("reads") List<byte[]> reads,
                                                         @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 48) int firstBuffer,
                                                         @ForAll boolean onEventLoop) {
        // A first buffer of a few bytes makes nearly every head and body grow it, or compact it,
        // at an arbitrary point: the answers must be those of a buffer at its full size from the
        // start, which never grows.
        MemoryConnection full = serveWithFirstBuffer(reads, Integer.MAX_VALUE, onEventLoop);
        MemoryConnection small = serveWithFirstBuffer(reads, firstBuffer, onEventLoop);
        assertEquals(withoutIdsAndDates(full.output()), withoutIdsAndDates(small.output()));
        assertWellFormed(small);
    }

    private static MemoryConnection serveWithFirstBuffer(List<byte[]> reads, int firstBuffer, boolean onEventLoop) {
        MemoryConnection c = onEventLoop ? new MemoryConnection().withEventLoop() : new MemoryConnection();
        reads.forEach(c::thenRead);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> new Http1Connection(c,
                Http1Settings.from(TestContext.of("header-timeout", "5")), NON_BLOCKING_READS_BODY, "Starling/test", null,
                c::nanoTime, firstBuffer).serve());
        return c;
    }

    private static final Handler NON_BLOCKING_READS_BODY = new Handler() {
        @Override
        public Response handle(dev.starling.http.Request request) throws Exception {
            MemoryConnection.countIfOnEventLoop();
            return READS_BODY.handle(request);
        }

        @Override
        public boolean nonBlocking() {
            return true;
        }
    };

    private static String withoutIdsAndDates(String wire) {
        return wire.replaceAll("(X-Request-Id|Date): [^\r\n]*", "$1: -");
    }

    private static void serveBounded(MemoryConnection c, String... settings) {
        serveBounded(c, READS_BODY, settings);
    }

    private static void serveBounded(MemoryConnection c, Handler handler, String... settings) {
        // A hang guard, not a speed assertion: the loop over memory ends in microseconds or never.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> new Http1Connection(c,
                Http1Settings.from(TestContext.of(settings)), handler, "Starling/test", null, c::nanoTime).serve());
    }

    private static List<WireResponse> assertWellFormed(MemoryConnection c) {
        List<WireResponse> responses = WireResponse.parseAll(c.output());
        for (int i = 0; i < responses.size(); i++) {
            WireResponse r = responses.get(i);
            assertTrue(r.status() == 100 || r.status() == 200 || REJECTIONS.contains(r.status()),
                    "unexpected status " + r.status() + " in " + c.output());
            if (r.closes()) {
                assertEquals(responses.size() - 1, i, "an answer followed Connection: close: " + c.output());
            }
            if (REJECTIONS.contains(r.status())) {
                assertEquals(responses.size() - 1, i, "an answer followed a rejection: " + c.output());
                assertTrue(r.closes(), "a rejection closes the connection: " + c.output());
            }
        }
        return responses;
    }
}
