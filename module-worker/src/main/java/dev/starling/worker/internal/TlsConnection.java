package dev.starling.worker.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS connection over an accepted TCP connection, driven by an {@link SSLEngine} in the
 * thread that serves it. The handshake runs on the first read or write, in that thread (never
 * in the accept loop), and must finish within the handshake timeout: a client that connects
 * and says nothing is dropped.
 *
 * <p>Read timeouts are the TCP connection's: each wait for the next record's bytes gets the
 * protocol's {@link #readTimeout}. {@link #transferFrom} cannot hand a file to the kernel, since
 * every byte must be encrypted: it reads the file and writes it as records.
 *
 * <p>Threads: the serving thread reads and writes, and is the one that sends close_notify
 * ({@link #shutdownOutput}, or {@link #close} at the end of its work). {@link #close},
 * {@link #shutdownInput} and {@link #inputPending} may also come from other threads (a
 * draining or stopping worker): such a close only cuts the TCP connection, since waiting to
 * send a notice to a peer that reads nothing could hold up a stopping worker.
 */
final class TlsConnection implements Connection, WriteProgress {

    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    /** Records per network write: large writes go out 32 KiB at a time rather than record by record. */
    private static final int RECORDS_PER_WRITE = 2;

    private final Connection tcp;
    private final SSLEngine engine;
    private final Duration handshakeTimeout;
    /** Held while wrapping and sending records, so that a record is never interleaved with another. */
    private final ReentrantLock sending = new ReentrantLock();
    /** Records received and not yet decrypted; kept ready for reading (flipped). */
    private ByteBuffer netIn;
    /** Plaintext decrypted and not yet read by the protocol; kept ready for reading (flipped). */
    private ByteBuffer plainIn;
    /** Records to send; only used under {@link #sending}. */
    private ByteBuffer netOut;
    private Duration readTimeout = Duration.ZERO;
    private volatile boolean handshaken;
    /** Whether any byte came from the peer; one that closes before its first byte just ends the stream. */
    private boolean receivedAny;
    private boolean closedBeforeHello;
    /** The thread serving this connection: the one that ran the handshake. */
    private volatile Thread owner;
    private IOException handshakeFailure;
    private boolean endOfInput;
    private volatile boolean inputShut;
    /** Whether {@link #netIn} or {@link #plainIn} holds bytes, for {@link #inputPending} from other threads. */
    private volatile boolean buffered;

    TlsConnection(Connection tcp, SSLEngine engine, Duration handshakeTimeout) {
        this.tcp = tcp;
        this.engine = engine;
        this.handshakeTimeout = handshakeTimeout;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet).flip();
        this.plainIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(packet * RECORDS_PER_WRITE);
    }

    @Override
    public long id() {
        return tcp.id();
    }

    /** The TCP connection's: records go out at most 32 KiB per write, so its progress is ours. */
    @Override
    public long lastSentNanos() {
        return tcp instanceof WriteProgress p ? p.lastSentNanos() : 0;
    }

    @Override
    public SocketAddress remoteAddress() {
        return tcp.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return tcp.localAddress();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!handshake()) {
            return -1;
        }
        while (!plainIn.hasRemaining()) {
            if (endOfInput || inputShut) {
                return -1;
            }
            if (netIn.hasRemaining()) {
                SSLEngineResult result = unwrap();
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    endOfInput = true; // the peer's close_notify
                    continue;
                }
                settle(result.getHandshakeStatus());
                if (result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW
                        && (result.bytesConsumed() > 0 || result.bytesProduced() > 0)) {
                    continue;
                }
            }
            if (receive(0) < 0) {
                endOfInput = true;
            }
        }
        if (inputShut) {
            return -1;
        }
        int n = Math.min(dst.remaining(), plainIn.remaining());
        dst.put(dst.position(), plainIn, plainIn.position(), n).position(dst.position() + n);
        plainIn.position(plainIn.position() + n);
        buffered = plainIn.hasRemaining() || netIn.hasRemaining();
        return n;
    }

    @Override
    public void readTimeout(Duration timeout) throws IOException {
        readTimeout = timeout;
        if (handshaken) {
            tcp.readTimeout(timeout);
        }
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        if (!handshake()) {
            throw new java.io.EOFException("the peer closed the connection before the TLS handshake");
        }
        send(srcs);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        // The default reads the file and write()s it: no sendfile, each byte must be encrypted here.
        return Connection.super.transferFrom(file, position, count);
    }

    @Override
    public void shutdownOutput() throws IOException {
        sendCloseNotify();
        tcp.shutdownOutput();
    }

    @Override
    public boolean inputPending() throws IOException {
        return buffered || tcp.inputPending();
    }

    @Override
    public void shutdownInput() throws IOException {
        inputShut = true;
        tcp.shutdownInput();
    }

    @Override
    public void close() throws IOException {
        IOException notifyFailed = null;
        // Another thread closes only to cut the connection (a stop past the graceful timeout,
        // a vanished manager): it must not wait on a peer that reads nothing, so no notice then.
        if (Thread.currentThread() == owner) {
            try {
                sendCloseNotify();
            } catch (IOException e) {
                notifyFailed = e;
            }
        }
        try {
            tcp.close();
        } catch (IOException e) {
            if (notifyFailed != null) {
                e.addSuppressed(notifyFailed);
            }
            throw e;
        }
        // A peer that is gone cannot receive close_notify; the connection is closed all the same.
    }

    @Override
    public String toString() {
        return "tls connection " + tcp.id() + " from " + tcp.remoteAddress();
    }

    /**
     * Runs the handshake once; later calls rethrow its failure.
     *
     * @return false when the peer closed before sending a single byte (a port probe, a client
     *         that gave up): to a reader that is the end of the stream, not a failed handshake
     */
    private boolean handshake() throws IOException {
        if (handshaken) {
            return true;
        }
        if (closedBeforeHello) {
            return false;
        }
        if (handshakeFailure != null) {
            throw new SSLHandshakeException("the TLS handshake failed before: " + handshakeFailure.getMessage());
        }
        long deadline = System.nanoTime() + handshakeTimeout.toNanos();
        owner = Thread.currentThread();
        try {
            engine.beginHandshake();
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                if (status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    SSLEngineResult result = unwrap();
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && receive(deadline) < 0) {
                        if (!receivedAny) {
                            closedBeforeHello = true;
                            endOfInput = true;
                            return false;
                        }
                        throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
                    }
                    status = result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            ? engine.getHandshakeStatus() : result.getHandshakeStatus();
                } else {
                    status = settleOnce(status);
                }
            }
            handshaken = true;
            tcp.readTimeout(readTimeout);
            return true;
        } catch (SSLException e) {
            handshakeFailure = e;
            sendAlert(e);
            throw e;
        } catch (IOException e) {
            handshakeFailure = e;
            throw e;
        }
    }

    /** Tells the peer why the handshake failed (protocol_version, say): the engine holds the alert for one more wrap. */
    private void sendAlert(SSLException failure) {
        try {
            engine.closeOutbound();
            send(NOTHING);
        } catch (IOException alertFailed) {
            failure.addSuppressed(alertFailed); // the handshake failure is what matters
        }
    }

    /** Does what the engine asks after an unwrap (delegated tasks, records to send) until it asks for input or nothing. */
    private void settle(HandshakeStatus status) throws IOException {
        while (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP) {
            status = settleOnce(status);
        }
    }

    private HandshakeStatus settleOnce(HandshakeStatus status) throws IOException {
        if (status == HandshakeStatus.NEED_TASK) {
            for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                task.run(); // in this connection's own (virtual) thread
            }
            return engine.getHandshakeStatus();
        }
        if (status == HandshakeStatus.NEED_WRAP) {
            return send(NOTHING);
        }
        throw new SSLException("unexpected TLS handshake state " + status);
    }

    /** Decrypts the next record from {@link #netIn} into {@link #plainIn}, growing it if the engine asks. */
    private SSLEngineResult unwrap() throws SSLException {
        while (true) {
            plainIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, plainIn);
            } finally {
                plainIn.flip();
            }
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                buffered = plainIn.hasRemaining() || netIn.hasRemaining();
                return result;
            }
            plainIn = grow(plainIn, engine.getSession().getApplicationBufferSize());
        }
    }

    /**
     * Reads more records from the TCP connection into {@link #netIn}.
     *
     * @param deadline the handshake's deadline (System.nanoTime), or 0 outside the handshake
     * @return the bytes read, or -1 at the end of the stream
     */
    private int receive(long deadline) throws IOException {
        if (netIn.limit() == netIn.capacity() && netIn.position() == 0) {
            netIn = grow(netIn, engine.getSession().getPacketBufferSize());
        }
        if (deadline != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw handshakeTimedOut();
            }
            tcp.readTimeout(Duration.ofMillis(Math.max(1, (left + 999_999) / 1_000_000)));
        }
        netIn.compact();
        int n;
        try {
            n = tcp.read(netIn);
            receivedAny |= n > 0;
        } catch (SocketTimeoutException e) {
            throw deadline != 0 ? handshakeTimedOut() : e;
        } finally {
            netIn.flip();
        }
        return n;
    }

    private SocketTimeoutException handshakeTimedOut() {
        return new SocketTimeoutException("no TLS handshake within " + handshakeTimeout.toMillis()
                + " ms (--tls-handshake-timeout)");
    }

    /**
     * Encrypts all of {@code srcs} (or, given {@link #NOTHING}, the handshake records the engine
     * has to send) and writes the records.
     *
     * @return the engine's handshake status after the last wrap
     */
    private HandshakeStatus send(ByteBuffer... srcs) throws IOException {
        sending.lock();
        try {
            HandshakeStatus status;
            do {
                netOut.clear();
                status = wrapInto(srcs);
                netOut.flip();
                tcp.write(netOut);
            } while (hasRemaining(srcs));
            return status;
        } finally {
            sending.unlock();
        }
    }

    /** Fills {@link #netOut} with as many records as fit; under {@link #sending}. */
    private HandshakeStatus wrapInto(ByteBuffer[] srcs) throws SSLException {
        HandshakeStatus status;
        do {
            SSLEngineResult result = engine.wrap(srcs, netOut);
            status = result.getHandshakeStatus();
            switch (result.getStatus()) {
                case CLOSED -> {
                    if (hasRemaining(srcs)) {
                        throw new SSLException("the TLS connection is closed for sending");
                    }
                    return status;
                }
                case BUFFER_OVERFLOW -> {
                    if (netOut.position() > 0) {
                        return status; // send what is there first
                    }
                    netOut = ByteBuffer.allocate(netOut.capacity() + engine.getSession().getPacketBufferSize());
                }
                default -> {
                    if (srcs == NOTHING && status != HandshakeStatus.NEED_WRAP) {
                        return status;
                    }
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                        // Data the engine will not take now (it waits for the peer): fail rather than spin.
                        throw new SSLException("the TLS engine cannot send now (handshake status " + status + ")");
                    }
                }
            }
        } while (hasRemaining(srcs) || (srcs == NOTHING && status == HandshakeStatus.NEED_WRAP));
        return status;
    }

    /** Sends the TLS close_notify alert once the handshake is done, unless already sent. */
    private void sendCloseNotify() throws IOException {
        if (!handshaken) {
            return;
        }
        sending.lock();
        try {
            if (!engine.isOutboundDone()) {
                engine.closeOutbound();
                send(NOTHING);
            }
        } finally {
            sending.unlock();
        }
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** A copy of {@code buffer} (flipped or not, as it was) with room for at least {@code size} more bytes. */
    private static ByteBuffer grow(ByteBuffer buffer, int size) {
        ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() + size);
        bigger.put(buffer.duplicate().clear().limit(buffer.limit()));
        return bigger.limit(buffer.limit()).position(buffer.position());
    }
}
