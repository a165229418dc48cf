package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The scoreboard and what the manager does with it: status, leftovers of a crash. */
class OperationsTest {

    @TempDir
    static Path modules;

    private static Path sleep;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compileTheSleepHandler() throws Exception {
        sleep = HandlerModules.sleepHandler(modules);
    }

    /**
     * Sends GET {@code path} on a thread of its own (the common pool may run tasks one after
     * another); the future holds the response, or the failure.
     */
    private static CompletableFuture<HttpExchange> getLater(int port, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HttpExchange.get(port, path, Duration.ofSeconds(120));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, task -> Thread.ofPlatform().daemon().start(task));
    }

    private static String status(Path pidFile) throws IOException, InterruptedException {
        java.lang.Process p = new ProcessBuilder(ServerProcess.command(List.of("status", "--pid-file", pidFile.toString())))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void statusShowsEveryWorkerTheirStateAndTheTotals(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start(List.of(sleep), "--port", "0", "--worker", "2", "--timeout-ms", "500",
                "--handler", "sleep", "--pid-file", pidFile.toString());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, HttpExchange.get(server.port(), "/").status());
        }
        ServerProcess.await(Duration.ofSeconds(5), () -> {
            try {
                return status(pidFile).contains("Total: 2  Busy: 0  Idle: 2  Draining: 0  Starting: 0  Requests: 5");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }, "the scoreboard to count 5 requests on 2 idle workers");

        CompletableFuture<HttpExchange> slow = getLater(server.port(), "/?ms=4000");
        ServerProcess.await(Duration.ofSeconds(5), () -> {
            try {
                return status(pidFile).contains("Busy: 1  Idle: 1");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }, "one worker busy with the slow request");
        String out = status(pidFile);
        assertTrue(out.contains("Starling manager pid " + server.pid()), out);
        assertTrue(out.contains("GET /?ms=4000 HTTP/1.1"), "the busy worker's request line: " + out);
        for (long pid : server.workerPids()) {
            assertTrue(out.contains(" " + pid + " "), "a line for worker " + pid + ":\n" + out);
        }
        assertEquals(200, slow.get(30, TimeUnit.SECONDS).status());
    }

    @Test
    void refusesToStartTwiceOnOnePidFile(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess first = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", "--pid-file", pidFile.toString());
        ServerProcess second = servers.launch("--port", "0", "--worker", "1", "--pid-file", pidFile.toString());
        assertEquals(1, second.awaitExit(Duration.ofSeconds(20)));
        assertEquals("server: a server is already running with pid " + first.pid() + " (--pid-file " + pidFile
                + "); stop it first or choose another --pid-file\n", second.output());
        assertEquals(Long.toString(first.pid()), Files.readString(pidFile).trim(), "the running server's pid file is untouched");
    }

    @Test
    void cleansUpAfterAManagerThatWasKilled(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess crashed = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", "--pid-file", pidFile.toString());
        long frozen = crashed.workerPids().get(0);
        // A frozen worker cannot notice that its manager died: only the next manager can help.
        ServerProcess.signal(frozen, "STOP");
        ServerProcess.signal(crashed.pid(), "KILL");
        crashed.awaitExit(Duration.ofSeconds(10));
        assertTrue(Files.exists(pidFile), "a killed manager leaves its pid file");

        ServerProcess next = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", "--pid-file", pidFile.toString());
        ServerProcess.await(Duration.ofSeconds(10), () -> ProcessHandle.of(frozen).isEmpty(), "the frozen worker to be killed");
        String out = next.output();
        assertTrue(out.contains("removed the stale --pid-file " + pidFile + " of manager pid " + crashed.pid()), out);
        assertTrue(out.contains("killed 1 worker(s) of a previous run (manager pid " + crashed.pid() + ", gone)"), out);
        assertTrue(out.contains("pids " + frozen), out);
        assertFalse(Files.exists(Path.of("/dev/shm/starling-" + crashed.pid() + ".scoreboard")), "its scoreboard is removed");
        assertFalse(Files.exists(Path.of("/dev/shm/starling-" + crashed.pid() + ".control")), "its control socket is removed");
    }

    @Test
    void adaptivePoolGrowsUnderSlowRequestsAndShrinksAfter() throws Exception {
        ServerProcess server = servers.start(List.of(sleep), "--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--handler", "sleep", "--worker-connections", "1", "--min-spare", "1", "--max-spare", "1", "--max-workers", "4");
        List<CompletableFuture<HttpExchange>> slow = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slow.add(getLater(server.port(), "/?ms=15000"));
        }
        server.awaitLogged(Duration.ofSeconds(40), () -> server.workerPids().size() >= 3, "the pool to grow for 3 slow requests");
        for (CompletableFuture<HttpExchange> response : slow) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).status());
        }
        server.awaitLogged(Duration.ofSeconds(30), () -> server.workerPids().size() == 1, "the pool to shrink back to one idle worker");
        assertTrue(server.output().contains("fewer than --min-spare 1"), server.output());
        assertTrue(server.output().contains("more than --max-spare 1"), server.output());
    }

    @Test
    void aReloadWhoseWorkersCannotStartKeepsTheOldGenerationServing(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = Files.copy(sleep, plugins.resolve("sleep.jar"));
        ServerProcess server = servers.start(List.of(plugins), "--port", "0", "--worker", "2", "--timeout-ms", "500",
                "--handler", "sleep");
        List<Long> serving = server.workerPids();
        Files.delete(jar); // the next generation will not find its handler
        ServerProcess.signal(server.pid(), "HUP");
        ServerProcess.await(Duration.ofSeconds(30), () -> server.output().contains("reload to generation 2 failed"),
                "the reload to fail");
        assertTrue(server.output().contains("the workers serving now keep serving"), server.output());
        ServerProcess.await(Duration.ofSeconds(10), () -> server.workerPids().equals(serving),
                "the failed successors to be gone and the old generation " + serving + " to serve alone");
        assertEquals(200, HttpExchange.get(server.port(), "/?ms=1").status());
    }

    @Test
    void aSecondSigintKillsWorkersThatAreStillFinishing(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start(List.of(sleep), "--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--handler", "sleep", "--pid-file", pidFile.toString());
        CompletableFuture<HttpExchange> slow = getLater(server.port(), "/?ms=60000");
        server.awaitLogged(Duration.ofSeconds(10), () -> statusContains(pidFile, "Busy: 1"), "the slow request to be in flight");
        ServerProcess.signal(server.pid(), "INT");
        server.awaitLogged(Duration.ofSeconds(10), () -> server.output().contains("draining 1 connection(s)"), "a graceful drain");
        Thread.sleep(500);
        assertTrue(server.process().isAlive(), "the first SIGINT waits for the request");
        ServerProcess.signal(server.pid(), "INT");
        assertEquals(0, server.awaitExit(Duration.ofSeconds(10)), server.output());
        assertTrue(server.output().contains("second SIGINT: killing"), server.output());
        assertTrue(slow.handle((r, e) -> e != null).get(10, TimeUnit.SECONDS), "the unfinished request was cut");
    }

    private static boolean statusContains(Path pidFile, String text) {
        try {
            return status(pidFile).contains(text);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
