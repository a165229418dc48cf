package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What HTTP/1.1 answers when the worker ends an exchange for its request timeout
 * ({@link dev.starling.process.Connection#exchangeTimedOut()}): 503 and close if nothing was
 * sent, whatever the handler does after the interrupt; never a 500, never a second response.
 */
class RequestTimeoutTest {

    private static final String GET = "GET /slow HTTP/1.1\r\nHost: h\r\nX-Request-Id: req-7\r\n\r\n";

    private static MemoryConnection serveTimingOut(Handler handler) throws IOException {
        MemoryConnection c = new MemoryConnection().thenRead(GET).thenRead(GET);
        Handler timingOut = request -> {
            CURRENT.get().timeOutExchange();
            return handler.handle(request);
        };
        CURRENT.set(c);
        try {
            return Http1ConnectionTest.serve(timingOut, c);
        } finally {
            CURRENT.remove();
        }
    }

    private static final ThreadLocal<MemoryConnection> CURRENT = new ThreadLocal<>();

    private static void assertAnswered503AndClosed(MemoryConnection c) {
        List<WireResponse> responses = Http1ConnectionTest.responses(c);
        assertEquals(1, responses.size(), "one response, and the pipelined request after it is not served: " + c.output());
        WireResponse r = responses.getFirst();
        assertEquals(503, r.status());
        assertTrue(r.closes(), "Connection: close");
        assertEquals("req-7", r.header("x-request-id").orElseThrow());
        assertEquals("req-7", c.describedRequestId(), "the worker's log line can name the request id");
        assertFalse(Thread.currentThread().isInterrupted(), "the worker's interrupt is not left to the next code on the thread");
    }

    @Test
    void aHandlerInterruptedByTheTimeoutGets503NotA500() throws Exception {
        assertAnswered503AndClosed(serveTimingOut(request -> {
            Thread.sleep(60_000); // the interrupt is already there: it throws at once
            return Response.ok("late");
        }));
    }

    @Test
    void aHandlerThatIgnoresTheInterruptAndAnswersLateStillGets503() throws Exception {
        assertAnswered503AndClosed(serveTimingOut(request -> Response.ok("too late")));
    }

    @Test
    void aWrittenBodyInterruptedBeforeItSentAnythingGets503() throws Exception {
        assertAnswered503AndClosed(serveTimingOut(request -> Response.of(dev.starling.http.Status.OK).withBody(out -> {
            throw new InterruptedIOException("interrupted before the first flush");
        })));
    }

    @Test
    void aWrittenBodyInterruptedAfterItsHeadWentOutIsCutShortWithoutASecondResponse() throws Exception {
        MemoryConnection c = new MemoryConnection().thenRead(GET).thenRead(GET);
        Handler handler = request -> Response.of(dev.starling.http.Status.OK).withBody(out -> {
            out.write("event 1\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            c.timeOutExchange();
            throw new InterruptedIOException("interrupted between two events");
        });
        Http1ConnectionTest.serve(handler, c);
        String wire = c.output();
        assertTrue(wire.startsWith("HTTP/1.1 200 OK\r\n"), wire);
        assertTrue(wire.contains("event 1\n"), wire);
        assertFalse(wire.contains("503"), "no second response after a committed one: " + wire);
        assertFalse(wire.endsWith("0\r\n\r\n"), "the body is cut short, not ended as if complete: " + wire);
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
