package dev.starling.worker.internal;

import dev.starling.process.Connection;
import dev.starling.worker.Listener;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * A TCP listener whose connections speak TLS. Accepting does no TLS work: each connection's
 * handshake runs later, in the thread that serves it, so a slow or silent client never holds
 * up the accept loop.
 */
final class TlsListener implements Listener {

    private final Listener tcp;
    private final TlsPolicy policy;
    private final Duration handshakeTimeout;

    TlsListener(Listener tcp, TlsPolicy policy, Duration handshakeTimeout) {
        this.tcp = tcp;
        this.policy = policy;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    public Connection accept(Duration timeout) throws IOException {
        Connection accepted = tcp.accept(timeout);
        return accepted == null ? null : new TlsConnection(accepted, policy.newEngine(), handshakeTimeout);
    }

    @Override
    public SocketAddress localAddress() {
        return tcp.localAddress();
    }

    @Override
    public void close() throws IOException {
        tcp.close();
    }

    @Override
    public String toString() {
        return "tls " + tcp.localAddress();
    }
}
