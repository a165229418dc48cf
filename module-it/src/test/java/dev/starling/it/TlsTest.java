package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tls transport against real peers: curl, openssl s_client, and a client that says nothing. */
class TlsTest {

    private static final Duration PEER_LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static TestPki pki;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void makeCertificates() throws IOException, InterruptedException {
        pki = TestPki.create(dir);
        pki.issue("server", "First");
        pki.issue("renewed", "Second");
        pki.issue("expired", "Old", "20200101000000Z", "20200201000000Z");
        pki.openssl("pkcs12", "-export", "-in", "server-chain.pem", "-inkey", "server.key", "-out", "server.p12",
                "-passout", "pass:correct horse");
        Files.writeString(dir.resolve("password"), "correct horse\n");
        Files.writeString(dir.resolve("wrong-password"), "battery staple\n");
        Files.writeString(dir.resolve("garbled.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    }

    private ServerProcess startTls(String... more) throws IOException {
        List<String> flags = new ArrayList<>(List.of("--transport", "tls", "--port", "0",
                "--worker", "1", "--timeout-ms", "500"));
        flags.addAll(List.of(more));
        return servers.start(flags.toArray(String[]::new));
    }

    private ServerProcess startWithPem(Path cert, Path key, String... more) throws IOException {
        List<String> flags = new ArrayList<>(List.of("--tls-cert", cert.toString(),
                "--tls-key", key.toString()));
        flags.addAll(List.of(more));
        return startTls(flags.toArray(String[]::new));
    }

    private static Peers.Result curl(ServerProcess server) throws IOException, InterruptedException {
        return Peers.run(dir, "", PEER_LIMIT, "curl", "-sS", "-v", "--max-time", "20", "--cacert", "ca.pem",
                "-w", "\nversion=%{http_version} status=%{http_code}\n", "https://127.0.0.1:" + server.port() + "/");
    }

    private static Peers.Result sClient(ServerProcess server, String... options) throws IOException, InterruptedException {
        return sClientSending(server, "", options);
    }

    /** openssl s_client sending {@code stdin}; with {@code -ign_eof} it reads until the server closes. */
    private static Peers.Result sClientSending(ServerProcess server, String stdin, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.port(), "-CAfile", "ca.pem", "-verify_return_error"));
        command.addAll(List.of(options));
        return Peers.run(dir, stdin, PEER_LIMIT, command.toArray(String[]::new));
    }

    @Test
    void curlVerifiesTheChainAgainstTheTestCaAndGetsThePage() throws Exception {
        ServerProcess server = startWithPem(dir.resolve("server-chain.pem"), dir.resolve("server.key"));
        Peers.Result r = curl(server);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("version=1.1 status=200"), r.output());
        assertTrue(r.output().contains("Starling"), r.output());
        assertTrue(Pattern.compile("ALPN[:,] server accepted (to use )?http/1.1").matcher(r.output()).find(), r.output());
        assertTrue(r.output().contains("SSL connection using TLSv1.3"), r.output());
    }

    @Test
    void aTlsListenerBesideAPlainOneServesEachProtocolOnItsOwnPort() throws Exception {
        ServerProcess server = servers.start("--listen", "tls://127.0.0.1:0", "--listen", "127.0.0.1:0", "--worker", "2",
                "--timeout-ms", "500", "--tls-cert", dir.resolve("server-chain.pem").toString(),
                "--tls-key", dir.resolve("server.key").toString());
        Peers.Result tls = Peers.run(dir, "", PEER_LIMIT, "curl", "-sS", "--max-time", "20", "--cacert", "ca.pem",
                "-w", "\nstatus=%{http_code}\n", "https://127.0.0.1:" + server.port(0) + "/");
        assertEquals(0, tls.exit(), tls.output());
        assertTrue(tls.output().contains("status=200"), tls.output());
        Peers.Result plain = Peers.run(dir, "", PEER_LIMIT, "curl", "-sS", "--max-time", "20",
                "-w", "\nstatus=%{http_code}\n", "http://127.0.0.1:" + server.port(1) + "/");
        assertEquals(0, plain.exit(), plain.output());
        assertTrue(plain.output().contains("status=200"), plain.output());
        Peers.Result plainToTls = Peers.run(dir, "", PEER_LIMIT, "curl", "-sS", "--max-time", "20",
                "http://127.0.0.1:" + server.port(0) + "/");
        assertTrue(plainToTls.exit() != 0, "plain HTTP to the TLS port is not served: " + plainToTls.output());
    }

    @Test
    void servesFromAPkcs12KeystoreWithThePasswordFromTheEnvironment() throws Exception {
        ServerProcess server = servers.launch(ServerProcess.command(List.of("--transport", "tls", "--port", "0",
                "--worker", "1", "--tls-keystore", dir.resolve("server.p12").toString(), "--tls-password-env", "TEST_TLS_PASSWORD")),
                Map.of("TEST_TLS_PASSWORD", "correct horse"));
        server.awaitServing(Duration.ofSeconds(60));
        Peers.Result r = curl(server);
        assertTrue(r.output().contains("version=1.1 status=200"), r.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void refusesTls10And11WithAProtocolVersionAlert(String version) throws Exception {
        ServerProcess server = startWithPem(dir.resolve("server-chain.pem"), dir.resolve("server.key"));
        // SECLEVEL=0 lets this client offer the old versions whatever the system's openssl.cnf says.
        Peers.Result r = sClient(server, version, "-cipher", "DEFAULT@SECLEVEL=0");
        assertTrue(r.output().contains("alert protocol version"), r.output());
        assertTrue(r.output().contains("Cipher is (NONE)"), r.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1_2", "1_3"})
    void acceptsTls12And13WithForwardSecretAeadSuites(String version) throws Exception {
        ServerProcess server = startWithPem(dir.resolve("server-chain.pem"), dir.resolve("server.key"));
        Peers.Result r = sClient(server, "-tls" + version, "-alpn", "http/1.1");
        assertTrue(r.output().contains("New, TLSv" + version.replace('_', '.')), r.output());
        assertTrue(r.output().contains("Verify return code: 0 (ok)"), r.output());
        assertTrue(r.output().contains("ALPN protocol: http/1.1"), r.output());
        assertTrue(Pattern.compile("Cipher is (TLS_AES_\\d+_GCM|TLS_CHACHA20|ECDHE-RSA-(AES\\d+-GCM|CHACHA20))").matcher(r.output()).find(),
                r.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1_2", "1_3"})
    void aSecondConnectionResumesTheSession(String version) throws Exception {
        ServerProcess server = startWithPem(dir.resolve("server-chain.pem"), dir.resolve("server.key"));
        Path session = dir.resolve("session-" + version);
        Files.deleteIfExists(session);
        // A TLS 1.3 ticket comes after the handshake: ask for a page and read until the server
        // closes, so the ticket has surely arrived before openssl saves the session.
        String request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        Peers.Result first = sClientSending(server, request, "-tls" + version, "-ign_eof", "-sess_out", session.toString());
        assertTrue(first.output().contains("New, TLSv"), first.output());
        assertTrue(Files.size(session) > 0, "openssl saved the session");
        Peers.Result second = sClient(server, "-tls" + version, "-sess_in", session.toString());
        assertTrue(second.output().contains("Reused, TLSv" + version.replace('_', '.')), second.output());
    }

    @Test
    void dropsAClientThatConnectsAndSaysNothing() throws Exception {
        ServerProcess server = startWithPem(dir.resolve("server-chain.pem"), dir.resolve("server.key"),
                "--tls-handshake-timeout", "1");
        try (Socket silent = new Socket("127.0.0.1", server.port())) {
            silent.setSoTimeout(20_000);
            long start = System.nanoTime();
            assertEquals(-1, silent.getInputStream().read(), "the server closed the silent connection");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(900).toNanos(), "not before the handshake timeout");
        }
        // The worker is fine and serves the next client.
        assertTrue(curl(server).output().contains("status=200"));
    }

    private ServerProcess launchTls(String... flags) throws IOException {
        List<String> all = new ArrayList<>(List.of("--transport", "tls", "--port", "0", "--worker", "2"));
        all.addAll(List.of(flags));
        return servers.launch(all.toArray(String[]::new));
    }

    private static void assertRefused(ServerProcess server, String message) throws InterruptedException {
        assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.output());
        assertEquals("server: " + message + "\n", server.output());
        assertTrue(server.liveWorkerPids().isEmpty(), "no worker was started");
    }

    @Test
    void refusesAnExpiredCertificateNamingTheFile() throws Exception {
        Path cert = dir.resolve("expired-chain.pem");
        assertRefused(launchTls("--tls-cert", cert.toString(), "--tls-key", dir.resolve("expired.key").toString()),
                "--tls-cert " + cert + ": the certificate for CN=localhost,O=Old expired on 2020-02-01T00:00:00Z");
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
        Path cert = dir.resolve("server-chain.pem");
        Path key = dir.resolve("renewed.key");
        assertRefused(launchTls("--tls-cert", cert.toString(), "--tls-key", key.toString()),
                "--tls-key " + key + " does not match the certificate in --tls-cert " + cert);
    }

    @Test
    void refusesAWrongKeystorePassword() throws Exception {
        Path keystore = dir.resolve("server.p12");
        assertRefused(launchTls("--tls-keystore", keystore.toString(), "--tls-password-file", dir.resolve("wrong-password").toString()),
                "--tls-keystore " + keystore + ": wrong password");
    }

    @Test
    void refusesAGarbledPemFile() throws Exception {
        Path cert = dir.resolve("garbled.pem");
        ServerProcess server = launchTls("--tls-cert", cert.toString(), "--tls-key", dir.resolve("server.key").toString());
        assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.output());
        assertTrue(server.output().startsWith("server: --tls-cert " + cert + ": not a PEM certificate chain ("), server.output());
    }

    @Test
    void refusesTheTlsTransportWithoutKeyMaterial() throws Exception {
        assertRefused(launchTls(), "the tls transport needs --tls-cert FILE and --tls-key FILE, or --tls-keystore FILE");
    }

    /** Whether a curl request now succeeds with a certificate whose subject holds {@code subject}. */
    private static boolean servedBy(ServerProcess server, String subject) {
        try {
            String out = curl(server).output();
            return out.contains(subject) && out.contains("status=200");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Test
    void aReloadServesRenewedCertificatesAndKeepsTheOldOnesWhenTheNewCannotLoad() throws Exception {
        Path cert = dir.resolve("live-chain.pem");
        Path key = dir.resolve("live.key");
        Files.copy(dir.resolve("server-chain.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("server.key"), key, StandardCopyOption.REPLACE_EXISTING);
        ServerProcess server = startWithPem(cert, key);
        assertTrue(curl(server).output().contains("O=First"), "the first certificate is served");

        Files.copy(dir.resolve("renewed-chain.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("renewed.key"), key, StandardCopyOption.REPLACE_EXISTING);
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(60), () -> server.output().contains("reload done"), "the reload to finish");
        // The old worker may still take a connection already queued as it drains: ask until the new one answers.
        ServerProcess.await(Duration.ofSeconds(30), () -> servedBy(server, "O=Second"), "a connection with the renewed certificate");

        // A key that no longer matches: the new generation cannot start, the old one goes on.
        Files.copy(dir.resolve("server.key"), key, StandardCopyOption.REPLACE_EXISTING);
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(60), () -> server.output().contains("failed: "), "the reload to fail");
        assertTrue(server.output().contains("--tls-key " + key + " does not match the certificate in --tls-cert " + cert),
                server.output());
        assertTrue(servedBy(server, "O=Second"), "the old generation still serves the renewed certificate");
    }
}
