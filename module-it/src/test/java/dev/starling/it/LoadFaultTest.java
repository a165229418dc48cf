package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients and load that misbehave or just stay: thousands of idle keep-alive connections,
 * clients that reset in the middle of a large response, a SIGTERM under wrk, and a one-minute
 * soak with a reload every 10 s. Figures ({@code FIGURE ...}) go to the test's output, kept in
 * target/surefire-reports.
 */
class LoadFaultTest {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");
    private static final Pattern WORKER_PID = Pattern.compile("(?im)^x-worker-pid: *(\\d+)");

    /** Size of the {@code big} handler's answer. */
    private static final int BIG = 4 << 20;

    @TempDir
    static Path modules;

    private static Path big;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compileTheBigHandler() throws Exception {
        big = HandlerModules.jar(modules, "big", Map.of(
                "module-info.java", """
                        module test.big {
                            requires dev.starling.http;
                            provides dev.starling.http.Handler with test.big.BigHandler;
                        }
                        """,
                "test/big/BigHandler.java", """
                        package test.big;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;

                        public final class BigHandler implements Handler {
                            private static final byte[] BODY = new byte[%d];
                            static {
                                java.util.Arrays.fill(BODY, (byte) 'x');
                            }

                            @Override public String name() { return "big"; }

                            @Override public Response handle(Request request) {
                                Response r = request.path().equals("/big") ? Response.ok("").withBody(BODY) : Response.ok("small\\n");
                                return r.withHeader("X-Worker-Pid", Long.toString(ProcessHandle.current().pid()));
                            }
                        }
                        """.formatted(BIG)));
    }

    static void figure(String text) {
        System.out.println("FIGURE " + text);
    }

    /** A kept-alive connection: {@link #get} sends GET / and reads one whole answer, leaving the connection open. */
    private static final class KeepAlive implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;

        KeepAlive(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            in = new BufferedInputStream(socket.getInputStream(), 1024);
        }

        /** The answering worker's pid; throws unless the answer is a whole 200. */
        long get() throws IOException {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = HttpExchange.readHead(in);
            Matcher length = CONTENT_LENGTH.matcher(head);
            Matcher pid = WORKER_PID.matcher(head);
            if (!head.startsWith("HTTP/1.1 200") || !length.find() || !pid.find()) {
                throw new IOException("not a 200 with a length and a worker pid: " + head);
            }
            in.readNBytes(Integer.parseInt(length.group(1)));
            return Long.parseLong(pid.group(1));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * 3,000 idle keep-alive connections held open on a 2-worker server (each made one request):
     * a new client is still answered at once, and every held connection still serves. Fewer
     * connections if this JVM's or a worker's open-file limit is lower (the output says so).
     */
    @Test
    void threeThousandIdleKeepAliveConnectionsDoNotStopANewClient() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500", "--keepalive-timeout", "600");
        long ours = Procs.openFileLimit(ProcessHandle.current().pid()) - Procs.openFds(ProcessHandle.current().pid());
        long theirs = server.workerPids().stream().mapToLong(p -> {
            try {
                return Procs.openFileLimit(p) - Procs.openFds(p);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).min().orElseThrow();
        // One worker may get them all: each side keeps a margin of 200 descriptors for itself.
        int count = (int) Math.min(3000, Math.min(ours, theirs) - 200);
        figure("idle keep-alive: " + count + " connections (free descriptors: this JVM " + ours + ", the fullest worker "
                + theirs + (count < 3000 ? "; FEWER than 3000 because of the open-file limit" : "") + ")");
        assertTrue(count >= 1000, "room for at least 1000 connections under the open-file limits (ulimit -n)");

        List<KeepAlive> held = new ArrayList<>(count);
        try {
            Map<Long, Integer> perWorker = new TreeMap<>();
            long openStart = System.nanoTime();
            for (int i = 0; i < count; i++) {
                KeepAlive c = new KeepAlive(server.port());
                held.add(c);
                perWorker.merge(c.get(), 1, Integer::sum);
            }
            Duration opening = Duration.ofNanos(System.nanoTime() - openStart);

            long start = System.nanoTime();
            HttpExchange fresh = HttpExchange.get(server.port(), "/", Duration.ofSeconds(10));
            Duration answered = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(200, fresh.status());

            int again = 0;
            List<String> failures = new ArrayList<>();
            for (KeepAlive c : held) {
                try {
                    c.get();
                    again++;
                } catch (IOException e) {
                    failures.add(e.toString());
                }
            }
            int answeredAgain = again;
            figure("idle keep-alive: " + count + " opened in " + opening.toMillis() + " ms, per worker " + perWorker
                    + "; a new client answered in " + answered.toMillis() + " ms; " + answeredAgain + " held connections answered again; "
                    + server.workerPids().stream().map(p -> p + ": " + Procs.openFds(p) + " fds, " + Procs.rssKib(p) + " KiB RSS")
                    .collect(Collectors.joining(", ")));
            assertEquals(List.of(), failures.stream().limit(5).toList(), failures.size() + " held connections failed a second request");
            assertEquals(count, answeredAgain);
        } finally {
            for (KeepAlive c : held) {
                c.close();
            }
        }
    }

    /**
     * 200 clients ask for a 4 MiB answer, read 8 KiB of it and reset (SO_LINGER 0): the workers
     * neither die nor leak (no request stays in flight, descriptors return to their count) and
     * the same pids answer a normal request afterwards.
     */
    @Test
    void clientsResettingInTheMiddleOfALargeAnswerLeaveTheWorkersServing(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start(List.of(big), "--port", "0", "--worker", "2", "--timeout-ms", "500",
                "--handler", "big", "--pid-file", pidFile.toString());
        List<Long> first = server.workerPids();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, HttpExchange.get(server.port(), "/").status());
        }
        Map<Long, Integer> fdsBefore = first.stream().collect(Collectors.toMap(p -> p, Procs::openFds));

        List<String> failures = new CopyOnWriteArrayList<>();
        Map<Long, Integer> servedBy = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 200; i++) {
                clients.execute(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                        s.setSoTimeout(20_000);
                        s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        byte[] some = s.getInputStream().readNBytes(8192);
                        if (some.length < 8192) {
                            throw new IOException("only " + some.length + " bytes before the end");
                        }
                        Matcher pid = WORKER_PID.matcher(new String(some, StandardCharsets.ISO_8859_1));
                        servedBy.merge(pid.find() ? Long.parseLong(pid.group(1)) : -1L, 1, Integer::sum);
                        s.setSoLinger(true, 0); // the close sends RST
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                });
            }
        } finally {
            clients.shutdown();
            assertTrue(clients.awaitTermination(120, TimeUnit.SECONDS), "the 200 clients finished within 120 s");
        }
        assertEquals(List.of(), failures, "every client got its first 8 KiB");

        Checks checks = new Checks();
        checks.await(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
            Procs.Status status = Procs.Status.read(pidFile);
            return status.text().contains("Busy: 0") && status.rows().size() == 2;
        }, () -> "no request to stay in flight:\n" + Procs.Status.read(pidFile).text());
        checks.await(Duration.ofSeconds(30), () -> first.stream().allMatch(p -> Procs.openFds(p) <= fdsBefore.get(p) + 10),
                () -> "the workers' descriptors to return to their count before (+10): before " + fdsBefore + ", now "
                        + first.stream().collect(Collectors.toMap(p -> p, Procs::openFds)));
        checks.check(server.workerPids().equals(first), () -> "the same workers " + first + " run, not " + server.workerPids());
        checks.check(!server.output().contains("restarting"), () -> "no worker died");
        try (Prober prober = Prober.start(server.port(), Duration.ofMillis(20), 500, Duration.ofSeconds(30))) {
            checks.await(Duration.ofSeconds(30), () -> first.stream().allMatch(prober::answeredBy),
                    () -> "both workers " + first + " to answer a normal request; answers: " + prober.probes());
            prober.close();
            checks.check(prober.failures().isEmpty(), () -> "no normal request failed: " + prober.failures());
        }
        figure("resetting clients: 200 resets after 8 KiB of 4 MiB, served by " + servedBy + "; descriptors before " + fdsBefore
                + ", after " + first.stream().collect(Collectors.toMap(p -> p, Procs::openFds)));
        checks.assertAllHeld(() -> "log:\n" + server.output());
    }

    /**
     * SIGTERM 3 s into {@code wrk -t1 -c32 -d10s}: the manager exits 0 within the graceful
     * timeout and every request in flight is answered: no read error and no timeout in wrk
     * (refused connections once the socket is closed are expected and allowed).
     */
    @Test
    void sigtermUnderLoadAnswersEveryRequestInFlight() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500", "--graceful-timeout", "15");
        try (Wrk wrk = Wrk.start(server.port(), 32, Duration.ofSeconds(10))) {
            Thread.sleep(3000); // the schedule: TERM 3 s into the run
            List<Long> workers = server.liveWorkerPids();
            long term = System.nanoTime();
            ServerProcess.signal(server.pid(), "TERM");
            int exit = server.awaitExit(Duration.ofSeconds(15 + 15));
            Duration toExit = Duration.ofNanos(System.nanoTime() - term);
            Optional<Duration> workersGone = Procs.until(Duration.ofSeconds(10), () -> Procs.alive(workers).isEmpty());
            wrk.interrupt(); // nothing listens any more: end wrk's reconnect loop
            Wrk.Report report = wrk.await(Duration.ofSeconds(30));
            figure("SIGTERM under wrk -c32: the manager exited " + exit + " after " + toExit.toMillis() + " ms; wrk "
                    + report.summary());
            assertEquals(0, exit, server.output());
            assertTrue(toExit.compareTo(Duration.ofSeconds(15)) <= 0, "exits within --graceful-timeout 15 s, took " + toExit.toMillis() + " ms");
            assertTrue(workersGone.isPresent(), "no worker is left: " + Procs.alive(workers));
            assertTrue(report.requests() > 0, report.text());
            assertEquals(0, report.read(), "no request in flight is lost (read errors), wrk says:\n" + report.text());
            assertEquals(0, report.timeout(), "no request in flight is left unanswered (timeouts), wrk says:\n" + report.text());
            assertEquals(0, report.non2xx(), report.text());
        }
    }

    /**
     * One minute of {@code wrk -t1 -c64} with a HUP every 10 s: no socket error of any kind, every
     * answer a 2xx, 5 reloads done. The manager's and the workers' RSS before and after are
     * printed.
     */
    @Test
    @Tag("soak")
    void aMinuteOfLoadWithAReloadEveryTenSecondsLosesNothing() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        assertEquals(200, HttpExchange.get(server.port(), "/").status());
        String before = memory(server);
        try (Wrk wrk = Wrk.start(server.port(), 64, Duration.ofSeconds(60))) {
            long start = System.nanoTime();
            for (int i = 1; i <= 5; i++) {
                long wait = start + Duration.ofSeconds(10L * i).toNanos() - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait)); // the schedule: a HUP every 10 s
                }
                ServerProcess.signal(server.pid(), "HUP");
            }
            Wrk.Report report = wrk.await(Duration.ofSeconds(90));
            server.awaitLogged(Duration.ofSeconds(60), () -> Procs.reloadsDone(server.output()).size() >= 5, "5 reloads to be done");
            String after = memory(server);
            figure("soak wrk -c64 60 s, HUP every 10 s: wrk " + report.summary() + "; reloads done "
                    + Procs.reloadsDone(server.output()) + "; RSS before: " + before + "; after: " + after);
            assertTrue(report.requests() > 0, report.text());
            assertEquals(0, report.socketErrors(), "no connect, read, write or timeout error:\n" + report.text());
            assertEquals(0, report.non2xx(), "every answer is a 2xx:\n" + report.text());
            assertEquals(List.of(2, 3, 4, 5, 6), Procs.reloadsDone(server.output()), "5 reloads, each one done");
        }
    }

    private static String memory(ServerProcess server) {
        return "manager " + server.pid() + " " + Procs.rssKib(server.pid()) + " KiB, workers "
                + server.workerPids().stream().map(p -> p + " " + Procs.rssKib(p) + " KiB").collect(Collectors.joining(", "));
    }
}
