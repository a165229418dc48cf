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
        return new ServerConfig("127.0.0.1", port, 2, Duration.ofMillis(500), Duration.ofSeconds(30), "tcp", "http1",
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
    void aMissingWorkerArgumentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromArguments(List.of("host=127.0.0.1")));
        assertEquals("worker argument 'port' is missing", e.getMessage());
    }

    @Test
    void rejectsZeroWorkers() {
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig("127.0.0.1", 80, 0, Duration.ofMillis(1),
                Duration.ZERO, "tcp", "http1", Optional.empty(), Map.of()));
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
        ServerConfig bad = new ServerConfig("no-such-host.invalid", 0, 1, Duration.ofMillis(500), Duration.ZERO, "tcp", "http1",
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
