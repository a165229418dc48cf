package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Connection;
import dev.starling.worker.Listener;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls transport's connections against the JDK's TLS client over real loopback sockets. */
class TlsWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static SSLContext client;

    private Listener listener;

    @BeforeAll
    static void makeCertificate() throws Exception {
        OpenSsl openssl = new OpenSsl(dir);
        openssl.run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key");
        Path cert = openssl.selfSigned("server.key", "server");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
    }

    @BeforeEach
    void bind() throws IOException {
        listener = new TlsWorker().bind(new WorkerConfig(new dev.starling.worker.Endpoint.Inet(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false), 16,
                WorkerConfig.ListenMode.REUSEPORT, java.util.OptionalInt.empty(), Map.of("tls-cert", dir.resolve("server.pem").toString(),
                "tls-key", dir.resolve("server.key").toString(), "tls-handshake-timeout", "1")));
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    private SSLSocket connect(String... protocols) throws IOException {
        InetSocketAddress at = (InetSocketAddress) listener.localAddress();
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(at.getAddress(), at.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** Accepts the next connection and runs {@code server} on it in a virtual thread, as a worker does. */
    private CompletableFuture<Void> serveNext(ServerSide server) throws IOException {
        Connection c = listener.accept(WAIT);
        assertNotNull(c, "a connection was accepted");
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (c) {
                server.serve(c);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    interface ServerSide {
        void serve(Connection c) throws Exception;
    }

    private static byte[] readAll(Connection c, int length) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(length);
        while (all.hasRemaining()) {
            if (c.read(all) < 0) {
                throw new IOException("end of stream after " + all.position() + " of " + length + " bytes");
            }
        }
        return all.array();
    }

    private static void await(CompletableFuture<Void> server) throws Exception {
        server.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void echoesOverTls13AndChoosesHttp11ByAlpn() throws Exception {
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> c.write(ByteBuffer.wrap(readAll(c, 5))));
            socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello", new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            assertEquals("http/1.1", socket.getApplicationProtocol());
            await(server);
        }
    }

    @Test
    void acceptsTls12WithAnEcdheAeadSuite() throws Exception {
        try (SSLSocket socket = connect("TLSv1.2")) {
            CompletableFuture<Void> server = serveNext(c -> c.write(ByteBuffer.wrap(readAll(c, 1))));
            socket.getOutputStream().write('x');
            assertEquals('x', socket.getInputStream().read());
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            String suite = socket.getSession().getCipherSuite();
            assertTrue(suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")), suite);
            await(server);
        }
    }

    @Test
    void carriesAMegabyteEachWay() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> c.write(ByteBuffer.wrap(readAll(c, data.length))));
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return socket.getInputStream().readNBytes(data.length);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            socket.getOutputStream().write(data);
            assertArrayEquals(data, echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            await(server);
        }
    }

    @Test
    void transferFromReadsAndEncryptsTheFile() throws Exception {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Path file = Files.write(dir.resolve("body.bin"), data);
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> {
                readAll(c, 1);
                try (FileChannel channel = FileChannel.open(file)) {
                    assertEquals(200_000, c.transferFrom(channel, 1000, 200_000));
                }
            });
            socket.getOutputStream().write('g');
            byte[] received = socket.getInputStream().readNBytes(200_000);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 201_000), received);
            await(server);
        }
    }

    @Test
    void aReadTimeoutEndsReadingButWritingStillWorks() throws Exception {
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> {
                readAll(c, 1);
                c.readTimeout(Duration.ofMillis(200));
                assertThrows(SocketTimeoutException.class, () -> c.read(ByteBuffer.allocate(16)));
                c.write(ByteBuffer.wrap("408".getBytes(StandardCharsets.US_ASCII)));
            });
            socket.getOutputStream().write('x');
            assertEquals("408", new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII));
            await(server);
        }
    }

    @Test
    void shutdownOutputSendsCloseNotify() throws Exception {
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> {
                readAll(c, 1);
                c.write(ByteBuffer.wrap(new byte[] {'b', 'y', 'e'}));
                c.shutdownOutput();
                // Reading still works after our side is closed.
                assertEquals('z', readAll(c, 1)[0]);
            });
            socket.getOutputStream().write('x');
            assertEquals("bye", new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII));
            assertEquals(-1, socket.getInputStream().read(), "the client read close_notify as the end of the stream");
            socket.getOutputStream().write('z');
            await(server);
        }
    }

    @Test
    void inputPendingSeesDecryptedBytesNotYetRead() throws Exception {
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> server = serveNext(c -> {
                assertEquals('a', readAll(c, 1)[0]);
                assertTrue(c.inputPending(), "the rest of the record waits in the connection");
                assertEquals("bc", new String(readAll(c, 2), StandardCharsets.US_ASCII));
            });
            socket.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            await(server);
        }
    }

    @Test
    void aClientThatSaysNothingIsDroppedAfterTheHandshakeTimeout() throws Exception {
        InetSocketAddress at = (InetSocketAddress) listener.localAddress();
        try (Socket silent = new Socket(at.getAddress(), at.getPort())) {
            silent.setSoTimeout((int) WAIT.toMillis());
            long start = System.nanoTime();
            // Accepting does no TLS work: the connection is handed out at once.
            Connection c = listener.accept(WAIT);
            assertNotNull(c);
            assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "accept did not wait for a handshake");
            try (c) {
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.read(ByteBuffer.allocate(16)));
                assertEquals("no TLS handshake within 1000 ms (--tls-handshake-timeout)", e.getMessage());
            }
            assertEquals(-1, silent.getInputStream().read(), "the silent client was disconnected");
        }
    }
}
