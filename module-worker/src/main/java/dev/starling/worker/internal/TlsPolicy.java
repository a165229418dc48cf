package dev.starling.worker.internal;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What every TLS connection of one worker generation shares: the key material, the protocol
 * versions and suites it accepts, and the session cache that lets a client resume.
 *
 * <ul>
 *   <li>TLS 1.3 and 1.2 only; 1.0 and 1.1 are refused (RFC 8996).</li>
 *   <li>Forward-secret AEAD suites only: ECDHE with AES-GCM or ChaCha20-Poly1305 (RFC 9325 4.2),
 *       in the server's order of preference.</li>
 *   <li>ALPN: {@code http/1.1} is chosen when the client offers it; a client offering only
 *       other protocols still connects, without ALPN (RFC 7301 3.2 lets the server ignore it).</li>
 *   <li>Resumption: the JDK's server session cache (TLS 1.2 session ids) and stateless session
 *       tickets (TLS 1.3, and 1.2 with RFC 5077). Both live in this process, so a client
 *       resumes with the worker that served it before.</li>
 * </ul>
 */
final class TlsPolicy {

    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static final List<String> NAMED_GROUPS = List.of("x25519", "secp256r1", "secp384r1");

    static final String ALPN_HTTP_1_1 = "http/1.1";

    /** Sessions kept for resumption; the JDK's default cache size, written down. */
    private static final int SESSION_CACHE_SIZE = 20_480;

    /** How long a session may be resumed, in seconds: one day, as the JDK's default. */
    private static final int SESSION_TIMEOUT_SECONDS = 86_400;

    static {
        // A client-initiated renegotiation (TLS 1.2) costs the server a full handshake per
        // request of the client's: refuse it. The JDK reads this once, when its TLS classes load.
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    }

    private final SSLContext context;
    private final SSLParameters parameters;

    TlsPolicy(KeyMaterial material) {
        try {
            // The key lives only in this in-memory store, under a password no one else sees.
            char[] password = "in-memory".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", material.key(), password, material.chain().toArray(new Certificate[0]));
            // SunX509 takes the key out of the store once; NewSunX509 would decrypt it again
            // (PBKDF2, thousands of HMACs) for every handshake: 8 ms of CPU each, measured.
            KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
            keys.init(store, password);
            context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS with the given key: " + e.getMessage(), e);
        }
        context.getServerSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
        context.getServerSessionContext().setSessionTimeout(SESSION_TIMEOUT_SECONDS);
        SSLParameters supported = context.getSupportedSSLParameters();
        parameters = new SSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setCipherSuites(CIPHER_SUITES.stream()
                .filter(Arrays.asList(supported.getCipherSuites())::contains).toArray(String[]::new));
        parameters.setNamedGroups(NAMED_GROUPS.toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        parameters.setNeedClientAuth(false);
    }

    /** A server-side engine for one new connection. */
    SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters);
        engine.setHandshakeApplicationProtocolSelector((e, offered) -> offered.contains(ALPN_HTTP_1_1) ? ALPN_HTTP_1_1 : "");
        return engine;
    }
}
