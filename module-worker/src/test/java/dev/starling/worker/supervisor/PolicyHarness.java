package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@link Supervisor} run over a fake clock and fake processes: the test decides when each
 * worker becomes ready, exits or stops heartbeating, and reads what the policy did.
 */
final class PolicyHarness {

    /** A worker process as the harness imagines it. */
    static final class Proc {
        final long id;
        final long pid;
        final int slot;
        final int generation;
        boolean alive = true;
        boolean stopRequested;
        boolean killed;
        boolean dumped;
        boolean ready;
        boolean idle = true;
        Duration sinceHeartbeat = Duration.ZERO;

        Proc(long id, int slot, int generation) {
            this.id = id;
            this.pid = 1000 + id;
            this.slot = slot;
            this.generation = generation;
        }

        @Override
        public String toString() {
            return "pid " + pid + " slot " + slot + " gen " + generation + (alive ? "" : " (dead)") + (ready ? " ready" : "");
        }
    }

    final Supervisor policy;
    final Map<Long, Proc> procs = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    final Map<Long, Integer> stops = new HashMap<>();
    int listenersClosed;
    long now = 1_000_000_000L;

    PolicyHarness(int workers) {
        this(workers, Duration.ZERO, Optional.empty());
    }

    PolicyHarness(int workers, Duration spawnInterval, Optional<Spares> spares) {
        ManagerConfig config = new ManagerConfig(workers, List.of("java"), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(30), spawnInterval, spares, Optional.empty(), "http1 on test");
        policy = new Supervisor(config, id -> {
            Proc p = procs.get(id);
            return p == null || !p.alive || !p.ready ? Optional.empty()
                    : Optional.of(new Probe.Observation(p.idle, p.sinceHeartbeat, p.idle ? 0 : 1, p.idle ? "" : "GET /slow"));
        });
        apply(policy.start(now));
    }

    /** Carries out actions as a manager would, with processes that start at once. */
    void apply(List<Action> actions) {
        for (Action action : actions) {
            switch (action) {
                case Action.Spawn s -> {
                    Proc p = new Proc(s.worker(), s.slot(), s.generation());
                    procs.put(p.id, p);
                    apply(policy.started(p.id, p.pid, now));
                }
                case Action.Stop s -> {
                    procs.get(s.worker()).stopRequested = true;
                    stops.merge(s.worker(), 1, Integer::sum);
                }
                case Action.Kill k -> procs.get(k.worker()).killed = true;
                case Action.DumpThreads d -> procs.get(d.worker()).dumped = true;
                case Action.CloseListeners c -> listenersClosed++;
                case Action.Log l -> log.add(l.level() + " " + l.message());
            }
        }
    }

    void advance(Duration d) {
        long end = now + d.toNanos();
        while (now < end) {
            now = Math.min(end, Math.max(now + 1_000_000, policy.nextWakeup(now)));
            apply(policy.tick(now));
        }
    }

    void ready(Proc p) {
        p.ready = true;
        apply(policy.ready(p.id, now));
    }

    void exit(Proc p, String how) {
        p.alive = false;
        apply(policy.exited(p.id, how, now));
    }

    void signal(String name) {
        apply(policy.signal(name, now));
    }

    /** Every live process that is starting (not ready, not told to stop). */
    List<Proc> starting() {
        return procs.values().stream().filter(p -> p.alive && !p.ready && !p.stopRequested && !p.killed).toList();
    }

    /** Makes every starting worker ready, in start order. */
    void readyAll() {
        for (Proc p : starting()) {
            if (p.alive && !p.ready) {
                ready(p);
            }
        }
    }

    /** Processes told to stop or killed exit now, as they would after draining. */
    void reapStopped() {
        for (Proc p : List.copyOf(procs.values())) {
            if (p.alive && (p.stopRequested || p.killed)) {
                exit(p, p.killed ? "killed by signal 9 (SIGKILL)" : "exited with status 0");
            }
        }
    }

    /** Live processes not told to stop: the pool as the operator sees it. */
    List<Proc> serving() {
        return procs.values().stream().filter(p -> p.alive && p.ready && !p.stopRequested && !p.killed).toList();
    }

    List<Proc> alive() {
        return procs.values().stream().filter(p -> p.alive).toList();
    }

    boolean logged(String fragment) {
        return log.stream().anyMatch(l -> l.contains(fragment));
    }

    long count(String fragment) {
        return log.stream().filter(l -> l.contains(fragment)).count();
    }

    void assertServing(int workers, int generation) {
        List<Proc> serving = serving();
        assertEquals(workers, serving.size(), "workers serving: " + serving + "\n" + logText());
        assertTrue(serving.stream().allMatch(p -> p.generation == generation), "all of generation " + generation + ": " + serving
                + "\n" + logText());
    }

    String logText() {
        return log.stream().collect(Collectors.joining("\n"));
    }
}
