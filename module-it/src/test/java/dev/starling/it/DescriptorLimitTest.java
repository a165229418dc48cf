package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker that runs out of descriptors keeps the connections it has and the process it is,
 * pauses accepting without spinning, and accepts again once connections close, as nginx does.
 */
class DescriptorLimitTest {

    private static final int LIMIT = 512;
    private static final int CLIENTS = 600;

    /** The kernel's clock ticks per second, in which /proc/PID/stat counts CPU time; 100 on Linux for decades. */
    private static final double TICKS_PER_SECOND = 100;

    @RegisterExtension
    final Servers servers = new Servers();

    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aWorkerOutOfDescriptorsServesTheConnectionsItHasAndAcceptsAgainLater() throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "bash"));
        // Idle connections must stay for the whole test, not end at the keep-alive timeout.
        command.addAll(ServerProcess.command(List.of("--port", "0", "--worker", "1", "--timeout-ms", "500",
                "--keepalive-timeout", "3600", "--header-timeout", "3600")));
        ServerProcess server = servers.launch(command, Map.of());
        server.awaitServing(Duration.ofSeconds(60));
        long worker = server.workerPids().getFirst();

        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(10_000);
                clients.add(s);
            }
            server.awaitLogged(Duration.ofSeconds(20), () -> server.output().contains("Too many open files"),
                    "the worker to run out of descriptors");

            // Saturated: measure the worker's CPU time while it cannot accept.
            long cpuBefore = cpuTicks(worker);
            long wallBefore = System.nanoTime();
            long until = wallBefore + Duration.ofMillis(2500).toNanos();
            while (System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
            }
            double cpuSeconds = (cpuTicks(worker) - cpuBefore) / TICKS_PER_SECOND;
            double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
            assertTrue(cpuSeconds / wallSeconds < 0.5, "the saturated worker used " + cpuSeconds + " s of CPU in "
                    + wallSeconds + " s: it spins instead of pausing");

            // The connections it holds are served: each accepted one answers a request.
            for (Socket s : clients) {
                s.getOutputStream().write(GET);
            }
            int answered = 0;
            for (Socket s : clients.subList(0, 300)) { // the kernel hands connections over in order: these were accepted
                String head = HttpExchange.readHead(s.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
                assertTrue(head.contains("X-Worker-Pid: " + worker), head);
                answered++;
            }
            assertEquals(300, answered);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        // Descriptors are free again: the same worker accepts and serves new connections.
        for (int i = 0; i < 20; i++) {
            HttpExchange r = HttpExchange.get(server.port(), "/");
            assertEquals(200, r.status());
            assertEquals(worker, r.workerPid(), "served by the worker that ran out of descriptors, not a replacement");
        }
        assertEquals(List.of(worker), server.workerPids(), "the worker stayed, and no other was started");
        long lines = server.output().lines().filter(l -> l.contains("failed: Too many open files")).count();
        assertTrue(lines <= 10, lines + " log lines about the limit: they are rate-limited\n" + server.output());
    }

    /** utime + stime of {@code pid}, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
