package dev.starling.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    private static ServerConfig config(int port) {
        return new ServerConfig("127.0.0.1", port, false, new Pool(2, 100, 1000, 500, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(7), Optional.of(new dev.starling.worker.supervisor.Spares(1, 3, 8)), Duration.ofSeconds(9)), Duration.ofMillis(500), Duration.ofSeconds(30), "tcp", "http1",
                Optional.of(Path.of("/tmp/s.pid")), Map.of("handler", "welcome", "max-header-size", "4096"));
    }

    @Test
    void runsInTheNamedModule() {
        assertEquals("dev.starling.server", getClass().getModule().getName());
    }

    @Test
    void workerArgumentsRoundTrip() {
        ServerConfig original = config(8080);
        assertEquals(original, ServerConfig.fromArguments(original.toArguments()));
    }

    @Test
    void listenersAndTheirOptionsRoundTrip() {
        ServerConfig original = config(8080).withListen(List.of("[::]:0", "unix:/tmp/a.sock", "unix:@b", "udp://127.0.0.1:53"));
        ServerConfig withOptions = new ServerConfig(original.host(), original.port(), false, original.pool(), original.acceptTimeout(),
                original.gracefulTimeout(), "tcp", "echo", Optional.empty(), Map.of(), original.listen(), true,
                java.util.OptionalInt.of(0660), Optional.of(java.nio.file.Path.of("/srv/plugins")));
        assertEquals(withOptions, ServerConfig.fromArguments(withOptions.toArguments()));
        assertEquals(List.of("[::]:0", "unix:/tmp/a.sock", "unix:@b", "udp://127.0.0.1:53"),
                withOptions.listeners().stream().map(ListenSpec::toString).toList(), "the order is kept");
    }

    @Test
    void withoutListenTheOneListenerIsHostAndPort() {
        assertEquals(List.of("127.0.0.1:8080"), config(8080).listeners().stream().map(ListenSpec::toString).toList());
    }

    @Test
    void aMissingWorkerArgumentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromArguments(List.of("host=127.0.0.1")));
        assertEquals("worker argument 'workers' is missing", e.getMessage());
    }

    @Test
    void rejectsZeroWorkers() {
        assertThrows(IllegalArgumentException.class, () -> Pool.fixed(0));
    }

    @Test
    void rejectsAMinimumOfRequestsAboveTheMaximum() {
        assertThrows(IllegalArgumentException.class, () -> new Pool(1, 1, 10, 11, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Optional.empty(), Pool.DEFAULT_WORKER_TIMEOUT));
    }

    @Test
    void drawsRequestLimitsWithinTheRange() {
        Pool pool = new Pool(1, 1, 20, 10, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Optional.empty(), Pool.DEFAULT_WORKER_TIMEOUT);
        java.util.Random random = new java.util.Random(1);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long limit = pool.drawRequestLimit(random);
            assertTrue(limit >= 10 && limit <= 20, "limit " + limit);
            seen.add(limit);
        }
        assertEquals(11, seen.size(), "every value of [10, 20] is drawn");
        assertEquals(0, Pool.fixed(1).drawRequestLimit(random), "0 = never recycle");
    }

    @Test
    void probeTurnsPortZeroIntoAFreePort() throws Exception {
        int port = Server.probePort(config(0));
        assertTrue(port > 0 && port < 65536, "port " + port);
    }

    @Test
    void probeRefusesAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            StartupException e = assertThrows(StartupException.class, () -> Server.probePort(config(taken.getLocalPort())));
            assertEquals("127.0.0.1:" + taken.getLocalPort() + " is already in use by another process (--host, --port)", e.getMessage());
        }
    }

    @Test
    void probeNamesAnUnknownHost() {
        ServerConfig bad = new ServerConfig("no-such-host.invalid", 0, true, Pool.fixed(1), Duration.ofMillis(500), Duration.ZERO, "tcp", "http1",
                Optional.empty(), Map.of());
        StartupException e = assertThrows(StartupException.class, () -> Server.probePort(bad));
        assertEquals("--host 'no-such-host.invalid' is not a known host name or address", e.getMessage());
    }

    @Test
    void workerCommandRunsTheWorkerEntryPointFromTheSameModulePath() {
        List<String> command = Server.workerCommand(config(8080));
        assertTrue(command.contains("dev.starling.server/dev.starling.server.internal.WorkerMain"), command.toString());
        assertTrue(command.contains("port=8080"), command.toString());
        assertTrue(command.contains("set.handler=welcome"), command.toString());
    }
}
