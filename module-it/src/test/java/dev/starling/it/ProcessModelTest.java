package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The manager and its worker processes, driven through real signals and real sockets. */
class ProcessModelTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void runsInTheNamedTestModule() {
        assertTrue(getClass().getModule().isNamed(), "tests must run on the module path");
        assertEquals("dev.starling.it", getClass().getModule().getName());
    }

    @Test
    void startsTheRequestedNumberOfWorkerProcessesBeforeServing() throws IOException {
        ServerProcess server = servers.start("--port", "0", "--worker", "3", "--timeout-ms", "500");
        List<Long> workers = server.workerPids();
        assertEquals(3, workers.size(), "worker processes of " + server);
        for (long pid : workers) {
            String command = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
            assertTrue(command.contains("dev.starling.server.internal.WorkerMain"), "worker command line: " + command);
        }
    }

    @Test
    void answersFromTwoDifferentWorkerPids() throws IOException {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        Set<Long> answered = new HashSet<>();
        for (int i = 0; i < 400 && answered.size() < 2; i++) {
            HttpExchange response = HttpExchange.get(server.port(), "/");
            assertEquals(200, response.status());
            assertTrue(response.body().contains("Starling"), response.body());
            assertTrue(response.body().contains(Long.toString(response.workerPid())), "the page names the pid: " + response.body());
            answered.add(response.workerPid());
        }
        assertEquals(Set.copyOf(server.workerPids()), answered, "pids that answered vs. the manager's children");
    }

    @Test
    void restartsWorkerKilledBySigkillWhileServing() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> before = server.workerPids();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Thread client = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    if (HttpExchange.get(server.port(), "/").status() == 200) {
                        ok.incrementAndGet();
                    }
                } catch (IOException resetByTheKill) {
                    // A connection queued at the killed worker is reset; the next one must succeed.
                }
            }
        });
        try {
            ServerProcess.await(Duration.ofSeconds(10), () -> ok.get() > 20, "requests before the kill");
            ServerProcess.signal(before.get(0), "KILL");
            ServerProcess.await(Duration.ofSeconds(15), () -> {
                List<Long> now = server.workerPids();
                return now.size() == 2 && !now.contains(before.get(0));
            }, "a replacement for worker " + before.get(0));
            int afterRestart = ok.get();
            ServerProcess.await(Duration.ofSeconds(10), () -> ok.get() > afterRestart + 50, "requests after the restart");
        } finally {
            running.set(false);
            client.join();
        }
        assertTrue(server.output().contains("worker pid " + before.get(0) + " (slot 0, generation 1) killed by signal 9 (SIGKILL); restarting"),
                server.output());
    }

    @Test
    void restartsAWorkerThatKeepsDyingNoFasterThanOncePerSecond() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        List<Instant> starts = new java.util.ArrayList<>();
        long victim = server.workerPids().get(0);
        for (int round = 0; round < 3; round++) {
            ServerProcess.signal(victim, "KILL");
            long dead = victim;
            ServerProcess.await(Duration.ofSeconds(10), () -> {
                List<Long> now = server.workerPids();
                return now.size() == 1 && now.get(0) != dead;
            }, "a replacement for " + dead);
            victim = server.workerPids().get(0);
            starts.add(ProcessHandle.of(victim).flatMap(h -> h.info().startInstant()).orElseThrow());
        }
        for (int i = 1; i < starts.size(); i++) {
            Duration gap = Duration.between(starts.get(i - 1), starts.get(i));
            // startInstant has 10 ms resolution (clock ticks): allow for it.
            assertTrue(gap.compareTo(Duration.ofMillis(980)) >= 0, "restart " + i + " came " + gap + " after the previous one");
        }
    }

    @Test
    void sigtermStopsEveryProcessAndExitsZero(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500", "--pid-file", pidFile.toString());
        assertEquals(Long.toString(server.pid()), Files.readString(pidFile).trim(), "pid file");
        List<Long> workers = server.workerPids();
        ServerProcess.signal(server.pid(), "TERM");
        assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.output());
        ServerProcess.await(Duration.ofSeconds(5), () -> server.liveWorkerPids().isEmpty(), "workers " + workers + " to exit");
        assertFalse(Files.exists(pidFile), "the pid file is removed on exit");
    }

    @Test
    void sigintStopsGracefullyToo() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        ServerProcess.signal(server.pid(), "INT");
        assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.output());
        ServerProcess.await(Duration.ofSeconds(5), () -> server.liveWorkerPids().isEmpty(), "workers to exit");
    }

    @Test
    void sigtermLetsARequestInFlightFinish() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Let the worker read the first half, so the request is in flight when TERM arrives.
            Thread.sleep(300);
            ServerProcess.signal(server.pid(), "TERM");
            ServerProcess.await(Duration.ofSeconds(5), () -> server.output().contains("draining"), "the worker to start draining");
            out.write("Accept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            HttpExchange response = HttpExchange.parse(HttpExchange.readAll(socket.getInputStream()));
            assertEquals(200, response.status());
            assertEquals("close", response.headers().get("connection"), "a draining worker closes after the answer");
        }
        assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.output());
    }

    @Test
    void workersExitWithinOneAcceptDeadlineWhenTheManagerIsKilled() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> workers = server.workerPids();
        ServerProcess.signal(server.pid(), "KILL");
        // One deadline (500 ms), plus the JVM's exit, plus scheduling slack on a 2-core machine.
        ServerProcess.await(Duration.ofSeconds(3), () -> server.liveWorkerPids().isEmpty(), "orphaned workers " + workers + " to exit");
    }

    @Test
    void echoesBytesOverTcp() throws Exception {
        ServerProcess server = servers.start("--process", "echo", "--port", "0", "--worker", "2", "--timeout-ms", "500");
        byte[] sent = new byte[100_000];
        new java.util.Random(42).nextBytes(sent);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(5000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError("writing to the echo server failed", e);
                }
            });
            byte[] received = HttpExchange.readAll(socket.getInputStream());
            writer.join();
            assertTrue(java.util.Arrays.equals(sent, received), "echoed " + received.length + " of " + sent.length + " bytes");
        }
    }

    @Test
    void curlGetsTheWelcomePage() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        java.lang.Process curl = new ProcessBuilder("curl", "-sS", "-i", "--max-time", "10", "http://127.0.0.1:" + server.port() + "/")
                .redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), out);
        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertTrue(out.contains("Served by worker pid " + server.workerPids().get(0)), out);
        assertNotEquals(-1, out.toLowerCase(java.util.Locale.ROOT).indexOf("\ndate: "), "Date header: " + out);
    }
}
