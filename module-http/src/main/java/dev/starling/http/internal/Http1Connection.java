package dev.starling.http.internal;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.process.Connection;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Serves HTTP/1.1 on one connection: reads requests one after another (pipelined ones from the
 * bytes left over by the previous read), calls the handler, writes the responses in order, and
 * decides after each exchange whether the connection persists (RFC 9112 §9.3). Runs on the
 * connection's own thread; one instance per connection.
 *
 * <p>Between requests the connection is marked {@link Connection#idle() idle} and waits at most
 * the keep-alive timeout, then closes quietly. Once a request's first byte is in, its head must
 * be complete within the header timeout, whatever the pace of its bytes (a slowloris client gets
 * {@code 408}); each read of its body may wait at most the body timeout ({@code 408}). After
 * {@code --max-keepalive-reqs} requests the connection closes with {@code Connection: close}.
 * A request that is rejected (bad syntax, a limit,
 * a timeout in the middle of it) is answered with its error status and {@code Connection: close},
 * and the connection closes, since the framing of what follows can no longer be trusted.
 * An exchange the worker ended for its request timeout ({@link Connection#exchangeTimedOut()})
 * is answered {@code 503} with {@code Connection: close} when nothing of its response was sent,
 * whatever the handler then returns or throws, and the connection closes.
 *
 * <p><b>On the event loop.</b> When the handler is {@link Handler#nonBlocking() non-blocking}
 * (and the access log is off), the wait between requests is lent to the transport's event loop
 * ({@link Connection#read(ByteBuffer, Connection.EventLoopReader)}): requests that arrive whole,
 * without a body, are parsed, handled and answered there by {@link #serveInline}, with no thread
 * switch, while this connection's thread stays parked in its read. Anything else (a partial head,
 * a body, an upgrade, a draining worker, a bad request) is left to the thread, untouched, and
 * served the usual way; so is the sending of a response body that may block
 * ({@link #handover}), and the close after an exchange that ends the connection.
 */
final class Http1Connection {

    private static final System.Logger LOG = System.getLogger(Http1Connection.class.getName());

    /** The most unread request content discarded to keep a connection; beyond it we close instead. */
    static final long DISCARD_LIMIT = 64 * 1024;

    /** The most bytes read and dropped while closing, so the peer receives our last response. */
    private static final int LINGER_BYTES = 64 * 1024;
    private static final Duration LINGER_TIME = Duration.ofSeconds(2);

    private final PipelineBatch batch;
    private final Connection connection;
    private final Http1Settings settings;
    private final Handler handler;
    private final Inbound in;
    private final RequestParser parser;
    private final ResponseWriter out;
    private final AccessLog accessLog; // null when --access-log is off: then logging costs nothing
    private final LongSupplier nanoClock;
    private final ConnectionUpgrade upgrade; // null when no protocol is mounted: then requests pay nothing for it
    private Duration readTimeout; // as last set on the connection, so unchanged timeouts cost no call
    private int served;
    /**
     * Whether the last exchange may end with a plain close: the client asked for it (so it sends
     * nothing more, RFC 9112 §9.6), its request was read to the end, and no byte waits. Then no
     * RST can overtake the response, and lingering would only hold the connection open.
     */
    private boolean cleanClose;

    /** Requests are not served on the event loop with {@code -Dstarling.inline=false}, for comparison. */
    private static final boolean INLINE_ALLOWED = !"false".equals(System.getProperty("starling.inline"));
    /** Whether the wait between requests is lent to the event loop. */
    private final boolean inline;
    /** Whether this code runs on the event loop now (inside {@link #serveInline}). */
    private boolean onEventLoop;
    /** An exchange the event loop handled whose response this thread must send, or null. */
    private Handover handover;
    /** Set when an exchange served on the event loop ended the connection: this thread closes. */
    private boolean endedInline;

    /** What the event loop leaves to the thread when a response body may block: the rest of {@link #exchange}. */
    private record Handover(RequestHead head, String requestId, RequestBody body, Response response, long start) {
    }

    Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName) {
        this(connection, settings, handler, serverName, settings.accessLog() ? AccessLog.toSystemLogger() : null);
    }

    /** @param upgrade the protocol that requests may switch to (WebSocket), or {@code null} for none */
    Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName,
                    ConnectionUpgrade upgrade) {
        this(connection, settings, handler, serverName, settings.accessLog() ? AccessLog.toSystemLogger() : null,
                System::nanoTime, upgrade, Inbound.INITIAL_CAPACITY);
    }

    /** @param accessLog where each exchange is logged, or {@code null} for nowhere */
    Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName,
                    AccessLog accessLog) {
        this(connection, settings, handler, serverName, accessLog, System::nanoTime);
    }

    /** @param nanoClock the clock the header timeout is measured with, {@link System#nanoTime} but in tests */
    Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName,
                    AccessLog accessLog, LongSupplier nanoClock) {
        this(connection, settings, handler, serverName, accessLog, nanoClock, null, Inbound.INITIAL_CAPACITY);
    }

    /**
     * For tests of the read buffer's growth: {@code firstBuffer} is the read buffer's size before
     * it grows ({@link Inbound#INITIAL_CAPACITY} but in tests), at least 1.
     */
    Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName,
                    AccessLog accessLog, LongSupplier nanoClock, int firstBuffer) {
        this(connection, settings, handler, serverName, accessLog, nanoClock, null, firstBuffer);
    }

    private Http1Connection(Connection connection, Http1Settings settings, Handler handler, String serverName,
                            AccessLog accessLog, LongSupplier nanoClock, ConnectionUpgrade upgrade, int firstBuffer) {
        this.upgrade = upgrade;
        this.batch = new PipelineBatch(connection);
        this.connection = batch;
        this.accessLog = accessLog;
        this.nanoClock = nanoClock;
        this.settings = settings;
        this.handler = handler;
        this.parser = new RequestParser(settings.maxRequestLine(), settings.maxHeaderSize(), settings.maxBodySize());
        this.in = new Inbound(this.connection, firstBuffer, Math.max(parser.maxHeadBytes(), 8192));
        this.out = new ResponseWriter(this.connection, serverName);
        this.inline = servesOnEventLoop(handler, settings) && accessLog == null; // a test may pass its own log
    }

    /** Whether connections with these settings lend their waits to the event loop (see the class documentation). */
    static boolean servesOnEventLoop(Handler handler, Http1Settings settings) {
        return INLINE_ALLOWED && handler.nonBlocking() && !settings.accessLog();
    }

    /** Serves until either side ends the connection; the caller closes it. */
    void serve() throws IOException {
        try {
            serveRequests();
        } finally {
            batch.flush(); // the caller closes the transport, not our batch
        }
    }

    private void serveRequests() throws IOException {
        while (true) {
            RequestHead head;
            try {
                head = nextHead();
            } catch (RequestRejected rejected) {
                if (accessLog != null) {
                    accessLog.log(connection.id(), connection.remoteAddress(), null, rejected.status().code(), -1,
                            System.nanoTime(), null);
                }
                reject(rejected);
                return;
            }
            if (head == null) {
                Handover left = handover;
                if (left != null) {
                    handover = null;
                    if (answer(left.head(), left.requestId(), left.body(), left.response(), left.start())) {
                        continue;
                    }
                } else if (!endedInline) {
                    return;
                }
                if (!cleanClose) {
                    linger();
                }
                return;
            }
            if (upgrade != null && upgrade.wants(head.target().path(), head.headers())) {
                upgrade(head);
                return;
            }
            if (!exchange(head)) {
                if (!cleanClose) {
                    linger();
                }
                return;
            }
        }
    }

    /**
     * The next request head, or {@code null} when the connection ended or idled out between
     * requests, or when the event loop left a {@link #handover} or {@link #endedInline}.
     */
    private RequestHead nextHead() throws IOException {
        parser.reset();
        if (!in.hasRemaining()) {
            readTimeout(settings.keepAliveTimeout());
            connection.idle();
            try {
                if ((inline ? in.fill(this::serveInline) : in.fill()) < 0 || handover != null || endedInline) {
                    return null;
                }
            } catch (SocketTimeoutException e) {
                LOG.log(DEBUG, () -> "connection " + connection.id() + ": no request within "
                        + settings.keepAliveTimeout().toSeconds() + " s (--keepalive-timeout); closing");
                return null;
            }
        }
        connection.busy();
        // The header timeout counts from the first byte of the head, which is here now; a head
        // complete in the first read (the common case) never reads the clock.
        long deadline = 0;
        while (true) {
            RequestHead head = parser.parse(in.buffer());
            if (head != null) {
                return head;
            }
            long now = nanoClock.getAsLong();
            if (deadline == 0) {
                deadline = now + settings.headerTimeout().toNanos();
            }
            long left = deadline - now;
            if (left <= 0) {
                throw headTimedOut(null);
            }
            // Each read waits at most for what is left, so a client dripping bytes cannot stretch it.
            readTimeout(Duration.ofMillis(Math.max(1, (left + 999_999) / 1_000_000)));
            try {
                if (in.fill() < 0) {
                    return null; // the peer left in the middle of a head: nobody to answer
                }
            } catch (SocketTimeoutException e) {
                throw headTimedOut(e);
            }
        }
    }

    /**
     * On the event loop, while this connection's thread waits between requests: serves the
     * requests complete in the buffer, as long as each can be served without blocking. Returns
     * true when it served them all (the wait goes on); false when it left the rest to the thread:
     * the bytes from the first request it did not take, untouched, or a {@link #handover}, or
     * {@link #endedInline}.
     */
    private boolean serveInline() throws IOException {
        onEventLoop = true;
        try {
            ByteBuffer buffer = in.buffer();
            while (buffer.hasRemaining()) {
                if (connection.draining()) {
                    return false;
                }
                int mark = buffer.position();
                parser.reset();
                RequestHead head;
                try {
                    head = parser.parse(buffer);
                } catch (RequestRejected rejected) {
                    head = null; // the thread parses it again and answers the rejection
                }
                if (head == null || head.chunked() || head.contentLength() > 0 || head.expectContinue()
                        || (upgrade != null && upgrade.wants(head.target().path(), head.headers()))) {
                    buffer.position(mark);
                    parser.reset();
                    return false;
                }
                connection.busy();
                if (!exchange(head)) {
                    endedInline = handover == null;
                    return false;
                }
            }
            batch.flush();
            connection.idle();
            return true;
        } finally {
            onEventLoop = false;
        }
    }

    private RequestRejected headTimedOut(SocketTimeoutException cause) {
        return new RequestRejected(Status.REQUEST_TIMEOUT, "request head not complete within "
                + settings.headerTimeout().toSeconds() + " s (--header-timeout)", cause);
    }

    /** Sets the connection's read timeout, unless it is set to that already. */
    private void readTimeout(Duration timeout) throws IOException {
        if (!timeout.equals(readTimeout)) {
            connection.readTimeout(timeout);
            readTimeout = timeout;
        }
    }

    /** One request and its response; returns whether the connection persists. */
    private boolean exchange(RequestHead head) throws IOException {
        long start = accessLog == null ? 0 : System.nanoTime();
        String requestId = head.requestId() != null ? head.requestId() : RequestIds.next();
        // The scoreboard and the worker's timeout log lines show the request line; head.toString() builds it only then.
        connection.describeExchange(head, requestId);
        RequestBody body = RequestBody.of(head, in, settings, out::sendContinue);
        if (!body.finished()) {
            readTimeout(settings.bodyTimeout());
        }
        Request request = request(head, requestId, body);
        Response response;
        try {
            response = handler.handle(request);
            if (response == null) {
                throw new IllegalStateException("handler returned null");
            }
            if (response.status().isInformational()) {
                throw new IllegalStateException("handler returned the interim status " + response.status().code());
            }
        } catch (Exception e) {
            if (connection.exchangeTimedOut()) {
                return timedOut(head, requestId, body, start, e);
            }
            if (body.failure() != null) {
                // The handler failed because the body did: the client gets the body's error.
                reject(body.failure());
                logAccess(head, body.failure().status(), -1, start, requestId);
                return false;
            }
            LOG.log(WARNING, () -> "connection " + connection.id() + ": handler '" + handler.name() + "' failed on "
                    + head.method() + " (request id " + requestId + "); answered 500", e);
            response = ResponseWriter.INTERNAL_ERROR;
        }
        if (connection.exchangeTimedOut()) {
            // The handler ignored the worker's interrupt and answered late: the client gets the 503 all the same.
            if (response.body() instanceof Response.Body.Streamed streamed) {
                ResponseWriter.closeQuietly(streamed.in(), connection);
            }
            return timedOut(head, requestId, body, start, null);
        }
        if (onEventLoop && !(response.body() instanceof Response.Body.Bytes || response.body() instanceof Response.Body.Empty)) {
            handover = new Handover(head, requestId, body, response, start);
            return false;
        }
        return answer(head, requestId, body, response, start);
    }

    /**
     * Answers an exchange the worker ended for its request timeout (it logged it, with the
     * request id) with {@code 503} and {@code Connection: close}; returns false: the connection ends.
     *
     * @param failure what the handler threw when interrupted, or null when it returned
     */
    private boolean timedOut(RequestHead head, String requestId, RequestBody body, long start, Exception failure) {
        Thread.interrupted(); // the worker's interrupt, delivered: the answer must not be cut by it
        LOG.log(DEBUG, () -> "connection " + connection.id() + ": handler '" + handler.name() + "' ended by the request timeout"
                + " (request id " + requestId + ")" + (failure == null ? "" : ": " + failure));
        try {
            out.send(ResponseWriter.SERVICE_UNAVAILABLE, head.version(), head.isHead(), false, requestId);
            logAccess(head, Status.SERVICE_UNAVAILABLE, out.lastContentLength(), start, requestId);
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + connection.id() + ": the 503 after a request timeout was not sent: " + e);
        }
        cleanClose = body.finished() && !in.hasRemaining();
        return false;
    }

    /** Sends the response of an exchange and settles its request; returns whether the connection persists. */
    private boolean answer(RequestHead head, String requestId, RequestBody body, Response response, long start)
            throws IOException {
        // --max-keepalive-reqs: the last request a connection may carry is answered with Connection: close.
        boolean keepAlive = head.keepAlive() && !connection.draining() && body.failure() == null
                && !connection.exchangeTimedOut() && ++served < settings.maxKeepAliveRequests();
        boolean streamed = response.body() instanceof Response.Body.Streamed
                || response.body() instanceof Response.Body.Written;
        if (keepAlive && !streamed) {
            // Settle the request before answering, so the answer can say whether the connection stays.
            keepAlive = body.discard(DISCARD_LIMIT);
        }
        // Pipelined requests already read get their small, complete answers in one write.
        batch.hold(in.hasRemaining() && (response.body() instanceof Response.Body.Bytes
                || response.body() instanceof Response.Body.Empty));
        boolean persist = out.send(response, head.version(), head.isHead(), keepAlive, requestId);
        batch.hold(false);
        if (connection.exchangeTimedOut()) {
            Thread.interrupted(); // the worker's, during the body: the linger below must not be cut by it
            persist = false;
        }
        if (persist && streamed) {
            // A streamed response may have read the request body while writing; drop what is left.
            persist = body.discard(DISCARD_LIMIT);
        }
        if (accessLog != null) {
            logAccess(head, response.status(), out.lastContentLength(), start, requestId);
        }
        cleanClose = !persist && !head.keepAlive() && body.finished() && !in.hasRemaining() && !connection.inputPending();
        return persist;
    }

    private Request request(RequestHead head, String requestId, java.io.InputStream body) {
        return new Request(head.method(), head.target().raw(), head.target().path(), head.target().query(),
                head.headers(), head.version(), connection.remoteAddress(), connection.localAddress(), requestId, java.util.Map.of(), body);
    }

    /**
     * Hands the connection to the protocol the request asks for, which serves it to its end; or
     * sends that protocol's refusal and closes.
     */
    private void upgrade(RequestHead head) throws IOException {
        long start = System.nanoTime();
        String requestId = head.requestId() != null ? head.requestId() : RequestIds.next();
        connection.describeExchange(head, requestId);
        Response refusal = upgrade.takeOver(request(head, requestId, java.io.InputStream.nullInputStream()), connection,
                in.buffer());
        if (refusal == null) {
            // Logged when the other protocol is done, with its whole duration, as nginx logs a 101.
            logAccess(head, Status.SWITCHING_PROTOCOLS, 0, start, requestId);
            return;
        }
        out.send(refusal, head.version(), head.isHead(), false, requestId);
        logAccess(head, refusal.status(), out.lastContentLength(), start, requestId);
        linger();
    }

    private void logAccess(RequestHead head, Status status, long length, long start, String requestId) {
        if (accessLog != null) {
            accessLog.log(connection.id(), connection.remoteAddress(),
                    head.method() + " " + head.target().raw() + " " + head.version().text(), status.code(), length, start,
                    requestId);
        }
    }

    /** Answers a rejected request and closes. */
    private void reject(RequestRejected rejected) throws IOException {
        LOG.log(DEBUG, () -> "connection " + connection.id() + ": rejected request with " + rejected.status().code()
                + ": " + rejected.getMessage());
        out.sendError(rejected.status(), rejected.getMessage());
        linger();
    }

    /**
     * Closes our sending side, then reads and drops what the peer still sends for a short while:
     * closing a socket with unread input makes the kernel send RST, which can destroy our last
     * response before the peer reads it.
     */
    private void linger() {
        try {
            connection.shutdownOutput();
            connection.idle(); // a draining worker may end us now
            connection.readTimeout(LINGER_TIME);
            ByteBuffer sink = in.buffer().clear();
            long deadline = System.nanoTime() + LINGER_TIME.toNanos();
            int dropped = 0;
            while (dropped < LINGER_BYTES && System.nanoTime() < deadline && connection.read(sink.clear()) >= 0) {
                dropped += sink.position();
            }
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + connection.id() + ": closing after the last response: " + e);
        }
    }
}
