package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals that arrive faster than the manager can act on them: reloads, scale-ups and
 * scale-downs interleaved, and a scale-down that removes a slot whose worker is still starting
 * in the middle of a reload. The pool must always settle where the last signal put it.
 */
class SignalStormTest {

    /** "started worker pid N (slot S, generation G)", the manager's line for every worker it starts. */
    private static final Pattern STARTED = Pattern.compile("started worker pid (\\d+) \\(slot (\\d+), generation (\\d+)\\)");

    /** How often a wait runs {@code server status}, a JVM start each time. */
    private static final Duration STATUS_POLL = Duration.ofMillis(200);

    @TempDir
    static Path modules;

    /** A handler whose workers in slot 2 take 6 s to start (their constructor sleeps), so a test can act while one starts. */
    private static Path slowSlot;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compileTheSlowSlotHandler() throws Exception {
        slowSlot = HandlerModules.jar(modules, "slowslot", Map.of(
                "module-info.java", """
                        module test.slowslot {
                            requires dev.starling.http;
                            provides dev.starling.http.Handler with test.slowslot.SlowSlotHandler;
                        }
                        """,
                "test/slowslot/SlowSlotHandler.java", """
                        package test.slowslot;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;

                        public final class SlowSlotHandler implements Handler {
                            public SlowSlotHandler() throws InterruptedException {
                                if ("2".equals(System.getenv("STARLING_WORKER_SLOT"))) {
                                    Thread.sleep(6000);
                                }
                            }

                            @Override public String name() { return "slowslot"; }

                            @Override public Response handle(Request request) {
                                return Response.ok("served by " + ProcessHandle.current().pid() + "\\n")
                                        .withHeader("X-Worker-Pid", Long.toString(ProcessHandle.current().pid()));
                            }
                        }
                        """));
    }

    /**
     * 30 HUPs, 10 TTINs and 10 TTOUs interleaved over about 2 s on a 2-worker server: the pool
     * settles to 2 workers of one generation, started after the last HUP (HUPs that arrive
     * during a reload are coalesced into one pending reload, never dropped), still serving, with
     * no worker the status does not show, and a TERM then leaves no process behind.
     */
    @Test
    void aStormOfReloadsAndScalingSettlesOnTheLastReloadWithNoStrayWorker(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500", "--pid-file", pidFile.toString());
        String[] round = {"HUP", "TTIN", "HUP", "TTOU", "HUP"}; // never below 2 slots, so no TTOU is refused
        long stormStart = System.nanoTime();
        long lastHup = 0;
        for (int i = 0; i < 10 * round.length; i++) {
            long due = stormStart + Duration.ofMillis(40).toNanos() * i; // the schedule: one signal every 40 ms
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            String signal = round[i % round.length];
            if (signal.equals("HUP")) {
                lastHup = System.nanoTime();
            }
            ServerProcess.signal(server.pid(), signal);
        }
        long lastHupNanos = lastHup;
        Duration storm = Duration.ofNanos(System.nanoTime() - stormStart);

        AtomicReference<String> lastSeen = new AtomicReference<>("nothing yet");
        Optional<Duration> settled = Procs.until(Duration.ofSeconds(90), STATUS_POLL, () -> settled(server, pidFile, lastSeen));
        Procs.Status status = Procs.Status.read(pidFile);
        String log = server.output();
        int finalGeneration = status.rows().isEmpty() ? -1 : status.rows().get(0).generation();
        int newestStarted = started(log).stream().mapToInt(s -> s[2]).max().orElse(-1);
        long ignored = log.lines().filter(l -> l.contains("SIGHUP ignored")).count();
        System.out.println("FIGURE signal storm: 50 signals in " + storm.toMillis() + " ms; settled "
                + settled.map(d -> "after " + d.toMillis() + " ms").orElse("NOT within 90 s") + "; reloads done "
                + Procs.reloadsDone(log) + "; final generation " + finalGeneration + ", newest started " + newestStarted
                + "; 'SIGHUP ignored' lines: " + ignored);
        assertTrue(settled.isPresent(), "the pool settles within 90 s to 2 serving workers of one generation, the last "
                + "'reload done', each one a child of the manager shown by the status; last seen: " + lastSeen.get() + "\nlog:\n" + log);

        Checks checks = new Checks();
        checks.await(Duration.ofSeconds(30), STATUS_POLL, () -> startedAfter(pidFile, lastHupNanos),
                () -> "the serving workers to be of a generation started after the last HUP (a HUP during a reload is "
                        + "kept as one pending reload, not dropped): " + startTimes(pidFile, lastHupNanos));
        checks.check(finalGeneration == newestStarted,
                () -> "the generation serving (" + finalGeneration + ") is the newest one started (" + newestStarted + ")");
        checks.check(ignored == 0, () -> "no HUP is dropped, yet the log has " + ignored + " 'SIGHUP ignored' lines");
        try {
            HttpExchange answer = HttpExchange.get(server.port(), "/", Duration.ofSeconds(20));
            checks.check(answer.status() == 200, () -> "a request after the storm is answered 200, got " + answer.status());
        } catch (IOException e) {
            checks.check(false, () -> "a request after the storm is answered: " + e);
        }
        List<Long> children = server.workerPids();
        List<Long> byEnvironment = server.liveWorkerPids().stream().sorted().toList();
        List<Long> shown = Procs.Status.read(pidFile).pids();
        checks.check(children.equals(shown) && byEnvironment.equals(shown), () -> "no stray worker: the manager's children "
                + children + " and every process carrying its STARLING_MANAGER_PID " + byEnvironment + " are the status' " + shown);

        Set<Long> everyWorker = new TreeSet<>(byEnvironment);
        started(server.output()).forEach(s -> everyWorker.add((long) s[0]));
        ServerProcess.signal(server.pid(), "TERM");
        int exit = server.awaitExit(Duration.ofSeconds(45));
        checks.check(exit == 0, () -> "TERM ends the manager with status 0, got " + exit);
        checks.await(Duration.ofSeconds(10), () -> everyWorker.stream().allMatch(Procs::gone),
                () -> "every worker the manager ever started to be gone after its exit; alive: "
                        + everyWorker.stream().filter(p -> !Procs.gone(p)).toList());
        checks.assertAllHeld(() -> "log:\n" + server.output());
    }

    /** Settled: two serving workers, one generation, that of the last "reload done", exactly the manager's children. */
    private static boolean settled(ServerProcess server, Path pidFile, AtomicReference<String> lastSeen) {
        if (server.workerPids().size() != 2) { // cheap: no status process while the pool is still moving
            lastSeen.set("children " + server.workerPids() + ", reloads done " + Procs.reloadsDone(server.output()));
            return false;
        }
        Procs.Status status;
        try {
            status = Procs.Status.read(pidFile);
        } catch (AssertionError notNow) {
            lastSeen.set("server status failed: " + notNow.getMessage());
            return false;
        }
        List<Integer> done = Procs.reloadsDone(server.output());
        List<Long> children = server.workerPids();
        lastSeen.set("children " + children + ", reloads done " + done + ", status:\n" + status.text());
        return status.rows().size() == 2
                && status.rows().stream().allMatch(r -> r.state().equals("idle") || r.state().equals("busy"))
                && status.rows().stream().map(Procs.Row::generation).distinct().count() == 1
                && !done.isEmpty() && done.getLast() == status.rows().get(0).generation()
                && children.equals(status.pids());
    }

    private static boolean startedAfter(Path pidFile, long nanoTime) {
        Procs.Status status = Procs.Status.read(pidFile);
        return status.rows().size() == 2 && status.rows().stream().allMatch(r -> {
            try {
                return Procs.startedAfter(r.pid(), nanoTime);
            } catch (IOException gone) {
                return false;
            }
        });
    }

    private static String startTimes(Path pidFile, long lastHup) {
        List<String> rows = new ArrayList<>();
        for (Procs.Row r : Procs.Status.read(pidFile).rows()) {
            try {
                rows.add("pid " + r.pid() + " (generation " + r.generation() + ") started "
                        + Duration.ofNanos(Procs.startNanos(r.pid()) - lastHup).toMillis() + " ms after the last HUP");
            } catch (IOException e) {
                rows.add("pid " + r.pid() + " gone");
            }
        }
        return String.join("; ", rows);
    }

    /** Every "started worker" line of {@code log}: pid, slot, generation. */
    private static List<int[]> started(String log) {
        List<int[]> all = new ArrayList<>();
        Matcher m = STARTED.matcher(log);
        while (m.find()) {
            all.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
        }
        return all;
    }

    /**
     * HUP, then TTIN, then TTOU while the added slot's worker is still starting (its handler
     * takes 6 s to load) and the new generation of the other slots already accepts: the reload
     * still finishes, without waiting for the ready timeout, and the next HUP finishes too.
     */
    @Test
    void aReloadFinishesWhenAScaleDownRemovesASlotWhoseWorkerIsStillStarting(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("server.pid");
        ServerProcess server = servers.start(List.of(slowSlot), "--port", "0", "--worker", "2", "--timeout-ms", "500",
                "--handler", "slowslot", "--pid-file", pidFile.toString());
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(30), () -> started(server.output()).stream().filter(s -> s[2] == 2).count() >= 2,
                "generation 2 to be started for slots 0 and 1");
        ServerProcess.signal(server.pid(), "TTIN");
        server.awaitLogged(Duration.ofSeconds(30), () -> started(server.output()).stream().anyMatch(s -> s[1] == 2),
                "a worker to be started for the added slot 2");
        long added = started(server.output()).stream().filter(s -> s[1] == 2).findFirst().orElseThrow()[0];
        assertTrue(Procs.until(Duration.ofSeconds(30), STATUS_POLL, () -> {
            List<Procs.Row> rows = Procs.Status.read(pidFile).rows();
            return rows.stream().filter(r -> r.slot() < 2 && r.generation() == 2 && !r.state().equals("starting")).count() == 2;
        }).isPresent(), "generation 2 of slots 0 and 1 accepts within 30 s:\n" + Procs.Status.read(pidFile).text() + server.output());
        Procs.Status before = Procs.Status.read(pidFile);
        assertTrue(before.rows().stream().anyMatch(r -> r.pid() == added && r.state().equals("starting")),
                "precondition: slot 2's worker " + added + " is still starting:\n" + before.text());
        assertFalse(server.output().contains("reload done; generation 2"), "precondition: the reload is still in progress");

        ServerProcess.signal(server.pid(), "TTOU");
        long ttou = System.nanoTime();
        server.awaitLogged(Duration.ofSeconds(40), () -> server.output().contains("reload done; generation 2")
                || server.output().contains("reload to generation 2 failed"), "the reload to generation 2 to end");
        System.out.println("FIGURE HUP, TTIN, TTOU: the reload ended " + Duration.ofNanos(System.nanoTime() - ttou).toMillis()
                + " ms after the TTOU: " + (server.output().contains("reload done; generation 2") ? "done" : "FAILED"));
        assertFalse(server.output().contains("reload to generation 2 failed"), "the reload finishes, not abandoned:\n" + server.output());

        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(40), () -> server.output().contains("reload done; generation 3")
                || server.output().contains("reload to generation 3 failed"), "the next reload to end");
        assertTrue(server.output().contains("reload done; generation 3"), "the next HUP is accepted and finishes:\n" + server.output());
        server.awaitLogged(Duration.ofSeconds(30), () -> server.workerPids().size() == 2, "two workers, as TTIN then TTOU left it");
        try {
            assertEquals(200, HttpExchange.get(server.port(), "/", Duration.ofSeconds(20)).status());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
