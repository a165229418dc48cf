package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reloads, scaling and recycling, against a real manager with real signals. */
class PoolTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void reloadUnderLoadLosesNoRequest() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> first = server.workerPids();
        // wrk runs until the three reloads are done (bounded: 120 s), however long a busy machine
        // takes to start new workers; its request timeout is 10 s (Wrk), since with wrk's default
        // 2 s it once counted one request held while new JVMs started.
        try (Wrk wrk = Wrk.start(server.port(), 64, Duration.ofSeconds(120))) {
            for (int i = 1; i <= 3; i++) {
                Thread.sleep(3000); // the schedule: a HUP 3 s after the start or the previous reload
                ServerProcess.signal(server.pid(), "HUP");
                int generation = i + 1;
                // The next HUP waits for this reload: one sent during a reload is not what this test is about.
                server.awaitLogged(Duration.ofSeconds(60), () -> server.output().contains("reload done; generation " + generation),
                        "reload " + i + " to finish");
            }
            Thread.sleep(1000); // the schedule: one more second of load with the last generation
            assertTrue(wrk.running(), "wrk still ran through the three reloads");
            wrk.interrupt();
            Wrk.Report report = wrk.await(Duration.ofSeconds(30));
            assertTrue(report.requests() > 1000, "wrk got answers: " + report.text());
            assertEquals(0, report.socketErrors(), "no connect, read, write or timeout error:\n" + report.text());
            assertEquals(0, report.non2xx(), "every answer was a 200:\n" + report.text());
        }
        assertEquals(3, count(server.output(), "reload done"), server.output());
        assertTrue(server.workerPids().stream().noneMatch(first::contains), "a new generation serves: " + server.workerPids());
    }

    @Test
    void sighupReplacesEveryWorkerAndTheOldOnesExit() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> old = server.workerPids();
        ServerProcess.signal(server.pid(), "HUP");
        ServerProcess.await(Duration.ofSeconds(20), () -> server.output().contains("reload done; generation 2"), "the reload");
        ServerProcess.await(Duration.ofSeconds(10), () -> old.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()),
                "old workers " + old + " to exit");
        List<Long> now = server.workerPids();
        assertEquals(2, now.size());
        assertTrue(now.stream().noneMatch(old::contains));
        assertEquals(200, HttpExchange.get(server.port(), "/").status());
    }

    @Test
    void slowRestartReplacesOneWorkerPerSpawnInterval() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500", "--spawn-interval", "1");
        List<Long> old = server.workerPids();
        ServerProcess.signal(server.pid(), "HUP");
        ServerProcess.await(Duration.ofSeconds(30), () -> server.output().contains("reload done; generation 2"), "the slow reload");
        ServerProcess.await(Duration.ofSeconds(10), () -> old.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()),
                "old workers " + old + " to exit");
        List<Instant> starts = new ArrayList<>();
        for (long pid : server.workerPids()) {
            assertFalse(old.contains(pid));
            starts.add(ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElseThrow());
        }
        starts.sort(null);
        Duration gap = Duration.between(starts.get(0), starts.get(1));
        assertTrue(gap.compareTo(Duration.ofMillis(980)) >= 0, "the second successor started " + gap + " after the first");
    }

    @Test
    void ttinAddsAWorkerAndTtouRemovesOneButNeverTheLast() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        ServerProcess.signal(server.pid(), "TTIN");
        ServerProcess.await(Duration.ofSeconds(15), () -> server.workerPids().size() == 2, "a second worker");
        ServerProcess.signal(server.pid(), "TTOU");
        ServerProcess.await(Duration.ofSeconds(15), () -> server.workerPids().size() == 1, "back to one worker");
        ServerProcess.signal(server.pid(), "TTOU");
        ServerProcess.await(Duration.ofSeconds(5), () -> server.output().contains("SIGTTOU ignored: one worker is the minimum"),
                "the refusal to go below one");
        assertEquals(1, server.workerPids().size());
        assertTrue(server.output().contains("SIGTTIN: workers 1 -> 2"), server.output());
        assertEquals(200, HttpExchange.get(server.port(), "/").status());
    }

    @Test
    void recyclesWorkersAfterTheirShareOfRequestsWithoutFailingOne() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--max-requests-per-child", "30", "--min-requests-per-child", "20");
        // A worker that reached its share keeps serving until its successor accepts, so count
        // distinct workers over time rather than per request.
        Set<Long> answered = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        int requests = 0;
        while (answered.size() < 3 && System.nanoTime() < deadline) {
            HttpExchange response = HttpExchange.get(server.port(), "/"); // throws on any failure
            assertEquals(200, response.status());
            answered.add(response.workerPid());
            requests++;
        }
        assertTrue(answered.size() >= 3, requests + " requests with at most 30 per worker came from only " + answered);
        assertTrue(server.output().contains("served its share of requests; starting its successor"), server.output());
    }

    @Test
    void oneWorkerConnectionKeepsTheNextClientInTheKernelQueue() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500", "--worker-connections", "1");
        try (Socket first = connect(server.port()); Socket second = connect(server.port())) {
            send(first);
            assertTrue(HttpExchange.readHead(first.getInputStream()).startsWith("HTTP/1.1 200"));
            send(second);
            second.setSoTimeout(1000);
            assertThrows(SocketTimeoutException.class, () -> second.getInputStream().read(),
                    "the worker serves one connection at a time");
            first.close();
            second.setSoTimeout(10_000);
            assertTrue(HttpExchange.readHead(second.getInputStream()).startsWith("HTTP/1.1 200"), "served once the first left");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
