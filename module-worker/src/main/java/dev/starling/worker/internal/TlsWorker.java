package dev.starling.worker.internal;

import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.time.Duration;

/**
 * The {@code tls} transport: the {@code tcp} transport's listening socket, with every
 * connection speaking TLS 1.3 or 1.2 through the JDK's {@link javax.net.ssl.SSLEngine}.
 *
 * <p>Settings (flag names): {@code tls-cert} and {@code tls-key} (PEM files), or
 * {@code tls-keystore} (PKCS#12) with {@code tls-password-file} or {@code tls-password-env};
 * {@code tls-handshake-timeout} in seconds (default {@value #DEFAULT_HANDSHAKE_TIMEOUT_SECONDS}).
 * Each {@link #bind} reads the key files afresh, so a new worker generation (a reload) serves
 * the files as they are then.
 */
public final class TlsWorker implements Worker {

    static final String HANDSHAKE_TIMEOUT = "tls-handshake-timeout";

    /** How long a client has to complete the handshake after connecting, in seconds. */
    static final int DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public void check(WorkerConfig config) {
        handshakeTimeout(config);
        new TlsPolicy(KeyMaterial.load(config));
    }

    @Override
    public Listener bind(WorkerConfig config) throws IOException {
        Duration handshakeTimeout = handshakeTimeout(config);
        TlsPolicy policy = new TlsPolicy(KeyMaterial.load(config));
        return new TlsListener(new TcpWorker().bind(config), policy, handshakeTimeout);
    }

    static Duration handshakeTimeout(WorkerConfig config) {
        String given = config.setting(HANDSHAKE_TIMEOUT).orElse(Integer.toString(DEFAULT_HANDSHAKE_TIMEOUT_SECONDS));
        try {
            int seconds = Integer.parseInt(given);
            if (seconds >= 1 && seconds <= 3600) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException notANumber) {
            // Reported below with the range, as an out-of-range number is.
        }
        throw new IllegalArgumentException("--" + HANDSHAKE_TIMEOUT + " must be between 1 and 3600 seconds, was " + given);
    }
}
