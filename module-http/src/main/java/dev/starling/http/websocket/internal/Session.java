package dev.starling.http.websocket.internal;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.http.Request;
import dev.starling.http.websocket.CloseCodes;
import dev.starling.http.websocket.WebSocketEndpoint;
import dev.starling.http.websocket.WebSocketSession;
import dev.starling.process.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket connection after the handshake: the read loop on the connection's own thread
 * ({@link #serve}), which hands messages to the endpoint and answers control frames, and the
 * thread-safe send side, where a lock keeps each frame whole and a send blocks while the kernel's
 * send buffer is full (back-pressure; see {@link WebSocketSession}).
 *
 * <p>Ending: the close frame either side sends first decides the code reported to
 * {@link WebSocketEndpoint#onClose}; after receiving the client's close the server answers (if it
 * had not closed already) and closes the TCP connection first (RFC 6455 §7.1.1). A protocol error
 * sends its close code, then drops what the client still sends for a moment so that the close
 * frame is read rather than destroyed by a reset. {@link SessionWatch} pings idle clients and
 * ends sessions whose close handshake or send stalls.
 */
final class Session implements WebSocketSession {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final int READ_BUFFER = 16 * 1024;
    /** How long a close handshake may wait for the client's close frame. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration LINGER_TIME = Duration.ofSeconds(2);
    private static final int LINGER_BYTES = 64 * 1024;

    private final Connection connection;
    private final WebSocketEndpoint endpoint;
    private final Request request;
    private final Optional<String> subprotocol;
    private final WebSocketSettings settings;
    private final PerMessageDeflate deflate; // null when not negotiated

    private final ReentrantLock sendLock = new ReentrantLock();
    private final byte[] header = new byte[FrameHeaders.MAX_LENGTH];
    private final ByteBuffer headerBuffer = ByteBuffer.wrap(header);
    private volatile boolean closeSent;
    private volatile boolean broken; // a write failed: nothing more can be sent
    private volatile Object attachment;

    // Read by the watch thread.
    volatile long lastReadNanos = System.nanoTime();
    volatile long pingSentNanos;
    volatile long closeSentNanos;
    volatile long writeStartedNanos;
    /** Whether an endpoint callback runs: then the reader is not reading, and silence is not the client's. */
    volatile boolean inCallback;
    final AtomicBoolean goingAway = new AtomicBoolean();
    final AtomicBoolean aborted = new AtomicBoolean();

    private int reportedCode; // 0 until the first close frame either way
    private String reportedReason = "";

    Session(Connection connection, WebSocketEndpoint endpoint, Request request, Optional<String> subprotocol,
            WebSocketSettings settings, PerMessageDeflate deflate) {
        this.connection = connection;
        this.endpoint = endpoint;
        this.request = request;
        this.subprotocol = subprotocol;
        this.settings = settings;
        this.deflate = deflate;
    }

    /**
     * Serves the session until it ends; the caller closes the connection afterwards.
     *
     * @param readAhead bytes the HTTP layer read past the handshake request: the first frames
     * @throws IOException when the connection fails (the endpoint has been told with 1006)
     */
    void serve(ByteBuffer readAhead) throws IOException {
        connection.readTimeout(Duration.ZERO); // idleness is the watch's business
        connection.idle(); // the handshake exchange is over; a draining worker may end us when quiet
        ByteBuffer in = ByteBuffer.allocate(Math.max(READ_BUFFER, readAhead.remaining()));
        in.put(readAhead).flip();
        SessionWatch.get().watch(this);
        try {
            if (call(() -> endpoint.onOpen(this))) {
                readFrames(in, new FrameDecoder(settings.maxMessage(), deflate != null),
                        new MessageAssembler(settings.maxMessage(), deflate));
            }
        } catch (ProtocolViolation violation) {
            LOG.log(DEBUG, () -> "connection " + id() + ": WebSocket protocol error " + violation.code() + ": "
                    + violation.getMessage());
            fail(violation.code(), violation.getMessage());
        } finally {
            SessionWatch.get().unwatch(this);
            sendLock.lock();
            try {
                closeSent = true; // no send may start any more: the deflater goes away
                if (deflate != null) {
                    deflate.end();
                }
            } finally {
                sendLock.unlock();
            }
            report();
        }
    }

    private void readFrames(ByteBuffer in, FrameDecoder decoder, MessageAssembler assembler)
            throws IOException, ProtocolViolation {
        while (true) {
            Frame frame = decoder.decode(in);
            if (frame == null) {
                if (!fill(in)) {
                    endOfStream();
                    return;
                }
                continue;
            }
            switch (frame.opcode()) {
                case Frame.OP_PING -> {
                    if (!closeSent) {
                        sendControl(Frame.OP_PONG, frame.payload()); // RFC 6455 5.5.3: the same application data
                    }
                }
                case Frame.OP_PONG -> {
                    // Unsolicited or an answer to our ping: any byte received already counted as a sign of life.
                }
                case Frame.OP_CLOSE -> {
                    closeReceived(ClosePayload.parse(frame.payload()));
                    return;
                }
                default -> {
                    MessageAssembler.Message message = assembler.accept(frame);
                    if (message != null && !closeSent && !deliver(message)) {
                        return;
                    }
                }
            }
            if (!closeSent && connection.draining()) {
                close(CloseCodes.GOING_AWAY, "server going away");
            }
        }
    }

    /** Reads more bytes after the unconsumed ones; false at the end of the stream or after an abort. */
    private boolean fill(ByteBuffer in) throws IOException {
        in.compact();
        try {
            int n = connection.read(in);
            if (n < 0) {
                return false;
            }
            lastReadNanos = System.nanoTime();
            pingSentNanos = 0;
            return true;
        } catch (IOException e) {
            if (aborted.get()) {
                return false; // the watch ended the connection and said why
            }
            throw e;
        } finally {
            in.flip();
        }
    }

    private void endOfStream() {
        if (!closeSent && connection.draining()) {
            // A draining worker shut our input: say why before the connection goes.
            recordClose(CloseCodes.GOING_AWAY, "server going away");
            sendCloseQuietly(new ClosePayload(CloseCodes.GOING_AWAY, "server going away"));
        }
    }

    private void closeReceived(ClosePayload close) {
        recordClose(close.code(), close.reason());
        // Echo the client's code (RFC 6455 5.5.1); then serve() returns and the server closes TCP first.
        sendCloseQuietly(new ClosePayload(close.code(), ""));
    }

    /** Hands a message to the endpoint; false when the session must end. */
    private boolean deliver(MessageAssembler.Message message) {
        return message.text()
                ? call(() -> endpoint.onText(this, new String(message.data(), StandardCharsets.UTF_8)))
                : call(() -> endpoint.onBinary(this, message.data()));
    }

    @FunctionalInterface
    private interface Callback {
        void run() throws Exception;
    }

    /** Runs an endpoint callback; a failure ends the session with 1011 (or quietly, when the connection broke). */
    private boolean call(Callback callback) {
        inCallback = true;
        try {
            callback.run();
            return true;
        } catch (Exception e) {
            if (e instanceof IOException && (broken || aborted.get())) {
                LOG.log(DEBUG, () -> "connection " + id() + ": WebSocket send failed, the connection is gone: " + e);
                return false;
            }
            LOG.log(WARNING, () -> "connection " + id() + ": WebSocket endpoint '" + endpoint.name() + "' failed; closing"
                    + " with 1011", e);
            fail(CloseCodes.INTERNAL_ERROR, "internal error");
            return false;
        } finally {
            lastReadNanos = System.nanoTime(); // the idle time counts from when we could read again
            inCallback = false;
        }
    }

    /** Fails the connection (RFC 6455 7.1.7): sends the close code, then lingers so that the client reads it. */
    private void fail(int code, String reason) {
        recordClose(code, reason);
        sendCloseQuietly(new ClosePayload(code, reason));
        try {
            connection.shutdownOutput();
            connection.readTimeout(LINGER_TIME);
            ByteBuffer sink = ByteBuffer.allocate(8192);
            long deadline = System.nanoTime() + LINGER_TIME.toNanos();
            int dropped = 0;
            while (dropped < LINGER_BYTES && System.nanoTime() < deadline && connection.read(sink.clear()) >= 0) {
                dropped += sink.position();
            }
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + id() + ": closing after close code " + code + ": " + e);
        }
    }

    private synchronized void recordClose(int code, String reason) {
        if (reportedCode == 0) {
            reportedCode = code;
            reportedReason = reason;
        }
    }

    private void report() {
        int code;
        String reason;
        synchronized (this) {
            code = reportedCode == 0 ? CloseCodes.ABNORMAL : reportedCode;
            reason = reportedReason;
        }
        try {
            endpoint.onClose(this, code, reason);
        } catch (Exception e) {
            LOG.log(WARNING, () -> "connection " + id() + ": WebSocket endpoint '" + endpoint.name() + "' failed in onClose", e);
        }
    }

    // --- Sending ---

    @Override
    public void sendText(CharSequence text) throws IOException {
        sendData(Frame.OP_TEXT, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void sendBinary(ByteBuffer data) throws IOException {
        sendData(Frame.OP_BINARY, data);
    }

    @Override
    public void sendPing(byte[] data) throws IOException {
        if (data.length > Frame.MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes, was " + data.length);
        }
        sendControl(Frame.OP_PING, data);
    }

    private void sendData(int opcode, ByteBuffer payload) throws IOException {
        sendLock.lock();
        try {
            checkOpen();
            if (deflate != null) {
                writeFrame(true, opcode, deflate.compress(payload));
            } else {
                writeFrame(false, opcode, payload.duplicate());
            }
        } finally {
            sendLock.unlock();
        }
    }

    private void sendControl(int opcode, byte[] payload) throws IOException {
        sendLock.lock();
        try {
            checkOpen();
            writeFrame(false, opcode, ByteBuffer.wrap(payload));
        } finally {
            sendLock.unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (closeSent || broken) {
            throw new IOException("WebSocket session on connection " + id() + " is closed");
        }
    }

    /** Writes one final frame; the caller holds the send lock. */
    private void writeFrame(boolean rsv1, int opcode, ByteBuffer payload) throws IOException {
        int n = FrameHeaders.write(header, rsv1, opcode, payload.remaining());
        headerBuffer.clear().limit(n);
        writeStartedNanos = System.nanoTime() | 1; // never 0, which means "no write in progress"
        try {
            connection.write(headerBuffer, payload);
        } catch (IOException e) {
            broken = true;
            throw e;
        } finally {
            writeStartedNanos = 0;
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!CloseCodes.isSendable(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent (RFC 6455 7.4)");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > ClosePayload.MAX_REASON_BYTES) {
            throw new IllegalArgumentException("a close reason holds at most 123 bytes of UTF-8");
        }
        recordClose(code, reason);
        sendCloseQuietly(new ClosePayload(code, reason));
    }

    /** Sends a close frame unless one was sent; a connection that fails meanwhile is only logged, it ends anyway. */
    private void sendCloseQuietly(ClosePayload close) {
        sendLock.lock();
        try {
            if (closeSent || broken) {
                return;
            }
            closeSent = true;
            closeSentNanos = System.nanoTime() | 1;
            writeFrame(false, Frame.OP_CLOSE, ByteBuffer.wrap(close.encode()));
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + id() + ": sending close code " + close.code() + " failed: " + e);
        } finally {
            sendLock.unlock();
        }
    }

    // --- Called by the watch, each on a virtual thread of its own (they may block on the send lock) ---

    void pingIdle() {
        try {
            if (!closeSent) {
                sendControl(Frame.OP_PING, new byte[0]);
            }
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + id() + ": idle ping failed: " + e);
        }
    }

    void goAway() {
        LOG.log(DEBUG, () -> "connection " + id() + ": no answer to a ping within " + settings.idleTimeout().toSeconds()
                + " s (--ws-idle-timeout); closing with 1001");
        close(CloseCodes.GOING_AWAY, "idle timeout");
    }

    void abort(String why) {
        LOG.log(DEBUG, () -> "connection " + id() + ": " + why + "; ending the connection");
        recordClose(CloseCodes.ABNORMAL, why);
        try {
            connection.close(); // wakes the reader, and a writer blocked on a full send buffer
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "connection " + id() + ": closing failed: " + e);
        }
    }

    Duration idleTimeout() {
        return settings.idleTimeout();
    }

    // --- WebSocketSession ---

    @Override
    public long id() {
        return connection.id();
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public Optional<String> subprotocol() {
        return subprotocol;
    }

    @Override
    public boolean isOpen() {
        return !closeSent && !broken && !aborted.get();
    }

    @Override
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public String toString() {
        return "WebSocket session on connection " + id();
    }
}
