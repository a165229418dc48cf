package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Connection;
import dev.starling.process.StreamService;
import dev.starling.worker.Endpoint;
import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import dev.starling.worker.supervisor.WorkerGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One behaviour suite run against every stream {@link Worker} provider and endpoint kind:
 * connect, echo, many connections, close, shutdown while connected, accept deadline. The
 * datagram counterpart is {@link DatagramWorkerContractTest}.
 */
class WorkerContractTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** The transports and endpoints under contract. */
    enum Transport {
        TCP("tcp"), TCP_IPV6("tcp"), UNIX_PATH("unix"), UNIX_ABSTRACT("unix"), TLS("tls");

        final String provider;

        Transport(String provider) {
            this.provider = provider;
        }

        Endpoint endpoint(Path dir) throws IOException {
            return switch (this) {
                case TCP, TLS -> new Endpoint.Inet(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false);
                case TCP_IPV6 -> new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName("::1"), 0), true);
                case UNIX_PATH -> new Endpoint.UnixPath(dir.resolve("contract.sock"), OptionalInt.of(0600));
                case UNIX_ABSTRACT -> new Endpoint.UnixAbstract("starling-contract-" + ProcessHandle.current().pid() + "-"
                        + ThreadLocalRandom.current().nextInt(1_000_000));
            };
        }
    }

    /** A bound listener and the way to reach it. */
    private record Bound(Listener listener, Endpoint endpoint, Optional<Path> certificate) {
        Peer connect() throws IOException {
            if (certificate.isPresent()) {
                return Peer.connectTls(listener.localAddress(), certificate.get());
            }
            return switch (endpoint) {
                case Endpoint.Inet inet -> Peer.connect(listener.localAddress());
                case Endpoint.UnixPath unix -> Peer.connect(UnixDomainSocketAddress.of(unix.path()));
                case Endpoint.UnixAbstract name -> Peer.connectNative(name);
            };
        }
    }

    private Bound bind(Transport transport) throws IOException {
        Worker worker = ServiceLoader.load(Worker.class).stream().map(ServiceLoader.Provider::get)
                .filter(w -> w.name().equals(transport.provider)).findFirst().orElse(null);
        Assumptions.assumeTrue(worker != null, "no Worker provider named '" + transport.provider
                + "' on this module path (the tls transport lands from another branch)");
        Endpoint endpoint = transport.endpoint(dir);
        Map<String, String> settings = Map.of();
        Optional<Path> certificate = Optional.empty();
        if (transport == Transport.TLS) {
            OpenSsl openssl = new OpenSsl(dir);
            try {
                openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "server.key");
                certificate = Optional.of(openssl.selfSigned("server.key", "server"));
            } catch (InterruptedException e) {
                throw new IOException("interrupted while making the test certificate", e);
            }
            settings = Map.of("tls-cert", certificate.get().toString(), "tls-key", openssl.file("server.key").toString());
        }
        return new Bound(worker.bind(new WorkerConfig(endpoint, 64, WorkerConfig.ListenMode.REUSEPORT, OptionalInt.empty(),
                settings)), endpoint, certificate);
    }

    private static final StreamService ECHO = connection -> {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            connection.idle();
            if (connection.read(buffer) < 0) {
                return;
            }
            connection.busy();
            connection.write(buffer.flip());
            buffer.clear();
        }
    };

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptsAConnectionAndEchoes(Transport transport) throws Exception {
        Bound bound = bind(transport);
        try (Listener listener = bound.listener(); Peer peer = bound.connect();
             Connection c = listener.accept(BOUND)) {
            assertTrue(c != null, "accept returned the connection");
            peer.write("ping".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer in = ByteBuffer.allocate(4);
            c.readTimeout(BOUND);
            while (in.hasRemaining()) {
                c.read(in);
            }
            c.write(in.flip());
            assertEquals("ping", new String(assertTimeoutPreemptively(BOUND, () -> peer.readExactly(4)), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void servesManyConnectionsAtOnce(Transport transport) throws Exception {
        Bound bound = bind(transport);
        WorkerGroup group = new WorkerGroup(List.of(bound.listener()), ECHO, Duration.ofMillis(200), Duration.ofSeconds(5), () -> true);
        Thread runner = Thread.ofPlatform().start(() -> runQuietly(group));
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String message = "message " + i + " over " + transport;
                answers.add(clients.submit(() -> {
                    try (Peer peer = bound.connect()) {
                        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                        peer.write(bytes);
                        return new String(peer.readExactly(bytes.length), StandardCharsets.UTF_8);
                    }
                }));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals("message " + i + " over " + transport, answers.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            group.drain();
            runner.join(BOUND.toMillis());
        }
        assertTrue(!runner.isAlive(), "the group stopped after the drain");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void eitherSideClosingEndsTheOther(Transport transport) throws Exception {
        Bound bound = bind(transport);
        try (Listener listener = bound.listener()) {
            Peer first = bound.connect();
            try (Connection c = listener.accept(BOUND)) {
                first.close();
                c.readTimeout(BOUND);
                assertEquals(-1, c.read(ByteBuffer.allocate(8)), "the server reads the end of the stream");
            }
            try (Peer second = bound.connect()) {
                Connection c = listener.accept(BOUND);
                c.close();
                assertNull(assertTimeoutPreemptively(BOUND, () -> second.readSome(8)), "the client reads the end of the stream");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aDrainEndsAnIdleConnectionAndTheGroupStops(Transport transport) throws Exception {
        Bound bound = bind(transport);
        WorkerGroup group = new WorkerGroup(List.of(bound.listener()), ECHO, Duration.ofMillis(200), Duration.ofSeconds(20), () -> true);
        Thread runner = Thread.ofPlatform().start(() -> runQuietly(group));
        try (Peer peer = bound.connect()) {
            peer.write("x".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("x".getBytes(StandardCharsets.US_ASCII), assertTimeoutPreemptively(BOUND, () -> peer.readExactly(1)));
            group.drain();
            assertNull(assertTimeoutPreemptively(BOUND, () -> peer.readSome(8)), "the idle connection was ended by the drain");
            runner.join(BOUND.toMillis());
            assertTrue(!runner.isAlive(), "the group stopped once its connection ended");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptReturnsNullAtItsDeadline(Transport transport) throws Exception {
        Bound bound = bind(transport);
        try (Listener listener = bound.listener()) {
            long start = System.nanoTime();
            assertNull(listener.accept(Duration.ofMillis(100)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= Duration.ofMillis(90).toNanos(), "accept waited for its deadline, waited " + waited / 1_000_000 + " ms");
            assertTrue(waited < BOUND.toNanos(), "accept returned at its deadline");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"TCP", "TCP_IPV6", "UNIX_PATH", "UNIX_ABSTRACT"})
    void aSocketHandedOverByTheManagerServesAsOneBoundHere(Transport transport) throws Exception {
        Endpoint endpoint = transport.endpoint(dir);
        if (endpoint instanceof Endpoint.Inet inet) {
            // The manager resolves port 0 before it hands sockets over; do the same here.
            int probe = NativeSockets.listen(endpoint, 16, false);
            endpoint = new Endpoint.Inet(NativeSockets.localInetAddress(probe), inet.ipv6Only());
            NativeSockets.close(probe);
        }
        int fd = NativeSockets.listen(endpoint, 16, false);
        Worker worker = ServiceLoader.load(Worker.class).stream().map(ServiceLoader.Provider::get)
                .filter(w -> w.name().equals(transport.provider)).findFirst().orElseThrow();
        Listener listener = worker.bind(new WorkerConfig(endpoint, 16, WorkerConfig.ListenMode.INHERITED, OptionalInt.of(fd)));
        Bound bound = new Bound(listener, endpoint, Optional.empty());
        WorkerGroup group = new WorkerGroup(List.of(listener), ECHO, Duration.ofMillis(200), Duration.ofSeconds(5), () -> true);
        Thread runner = Thread.ofPlatform().start(() -> runQuietly(group));
        try (Peer peer = bound.connect()) {
            peer.write("handed over".getBytes(StandardCharsets.US_ASCII));
            assertEquals("handed over", new String(assertTimeoutPreemptively(BOUND, () -> peer.readExactly(11)), StandardCharsets.US_ASCII));
        } finally {
            group.drain();
            runner.join(BOUND.toMillis());
        }
    }

    private static void runQuietly(WorkerGroup group) {
        try {
            group.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
