package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator sees when a server cannot start: a clear line, a non-zero status, no process left. */
class StartupFailureTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void refusesAPortAlreadyInUseAndLeavesNoWorker() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            ServerProcess server = servers.launch("--port", Integer.toString(port), "--worker", "2");
            assertEquals(1, server.awaitExit(Duration.ofSeconds(20)));
            assertEquals("server: 127.0.0.1:" + port + " is already in use by another process (--host, --port)\n", server.output());
            assertTrue(server.liveWorkerPids().isEmpty());
        }
    }

    @ParameterizedTest(name = "first {0}, then {1}")
    @CsvSource({"--reuseport,--reuseport", "--reuseport,--process=http1", "--process=http1,--reuseport"})
    void refusesAPortHeldByAnotherStarling(String firstMode, String secondMode) throws Exception {
        // Two SO_REUSEPORT servers of one user could bind together and silently share traffic.
        ServerProcess other = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", firstMode);
        ServerProcess server = servers.launch("--port", Integer.toString(other.port()), "--worker", "1", secondMode);
        assertEquals(1, server.awaitExit(Duration.ofSeconds(20)));
        assertEquals("server: 127.0.0.1:" + other.port() + " is already in use by another process (--host, --port)\n",
                server.output());
    }

    @Test
    void unknownProcessNameListsTheAvailableOnes() throws Exception {
        ServerProcess server = servers.launch("--process", "gopher", "--port", "0");
        assertEquals(1, server.awaitExit(Duration.ofSeconds(20)));
        assertEquals("server: no protocol named 'gopher'; available: echo, http1, websocket (--process)\n", server.output());
    }

    @Test
    void unknownHandlerNameStopsTheStartAndListsTheAvailableOnes() throws Exception {
        ServerProcess server = servers.launch("--handler", "nope", "--port", "0", "--worker", "2", "--timeout-ms", "500");
        assertEquals(1, server.awaitExit(Duration.ofSeconds(30)));
        // The manager checks the handler before it starts any worker.
        assertEquals("server: no handler named 'nope'; available: welcome (--handler)\n", server.output());
        ServerProcess.await(Duration.ofSeconds(5), () -> server.liveWorkerPids().isEmpty(), "no worker left");
        assertTrue(server.process().toHandle().descendants().noneMatch(ProcessHandle::isAlive), "no worker left");
    }

    @Test
    void anUnwritablePidFileIsOneLineAndNoProcess() throws Exception {
        String pidFile = "/nonexistent-starling-folder/server.pid";
        ServerProcess server = servers.launch("--port", "0", "--worker", "1", "--pid-file", pidFile);
        assertEquals(1, server.awaitExit(Duration.ofSeconds(20)));
        assertEquals("server: cannot write the pid file " + pidFile + ": no such file or folder (--pid-file)\n", server.output());
        assertTrue(server.process().toHandle().descendants().noneMatch(ProcessHandle::isAlive), "no worker left");
    }
}
