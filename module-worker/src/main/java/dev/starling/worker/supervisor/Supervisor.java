package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The manager's policy, with no effects of its own: events and a monotonic clock go in, {@link Action}s
 * come out, and the {@link Manager} carries them out (processes, signals, the scoreboard, the log).
 * Unit tests drive it with a fake clock and a fake {@link Probe}.
 *
 * <p>What it decides:
 * <ul>
 *   <li><b>Start:</b> one worker per slot; the server serves once every one accepts. A worker that
 *       dies or does not accept within the ready timeout fails the start.</li>
 *   <li><b>Restarts with back-off:</b> a slot whose worker dies, hangs or never accepts gets a new
 *       worker at once the first time, then after 1, 2, 4 … at most 60 s while its workers keep failing;
 *       a worker that serves for {@link #STABLE_AFTER} resets the count.</li>
 *   <li><b>Hangs:</b> a worker whose scoreboard heartbeat is older than the worker timeout gets
 *       SIGQUIT (the JVM writes a thread dump to its stderr, which the manager passes on), then
 *       SIGKILL {@link #DUMP_GRACE} later; its slot is restarted meanwhile.</li>
 *   <li><b>Reloads:</b> HUP starts a new generation; with no spawn interval, the whole generation
 *       takes over at once when every slot has a ready worker of it; with one, slot by slot. A HUP
 *       during a reload is queued (at most one), and starts as soon as the current reload ends,
 *       whether it succeeded or failed. TTIN and TTOU apply during a reload, and the reload's
 *       completion is checked after every change, so scaling can neither wedge nor fake it.</li>
 *   <li><b>Stop:</b> TERM or INT closes the manager's copies of the listeners, drains every worker and
 *       kills those still running after the graceful timeout; a second INT kills at once.</li>
 * </ul>
 *
 * <p>Not thread-safe: the manager's one thread calls every method.
 */
final class Supervisor {

    /** A worker that served this long proved its slot healthy: the slot's failure count starts again. */
    static final Duration STABLE_AFTER = Duration.ofSeconds(10);

    /** The longest wait before a failing slot's next start. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** Between SIGQUIT (thread dump) and SIGKILL of a hung worker: the JVM needs a moment to write the dump. */
    static final Duration DUMP_GRACE = Duration.ofSeconds(2);

    /** A draining worker still alive this long after its graceful timeout is killed. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(5);

    /** How long a failed start waits for its workers to exit before the manager exits anyway. */
    static final Duration START_FAILURE_WAIT = Duration.ofSeconds(5);

    /** The adaptive pool moves at most one step per interval. */
    static final Duration ADAPT_INTERVAL = Duration.ofSeconds(1);

    /** The longest time between two ticks. */
    static final Duration TICK = Duration.ofMillis(250);



    /**
     * A slot waiting to restart after failures, for {@code server status}.
     *
     * @param slot      the slot's index
     * @param failures  its workers' failures in a row
     * @param restartAt when it starts again (the policy's clock, nanoseconds)
     */
    record Backoff(int slot, int failures, long restartAt) {
    }

    private enum Phase { STARTING, RUNNING, STOPPING, START_FAILED }

    private final ManagerConfig config;
    private final Probe probe;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<Long, ManagedWorker> live = new LinkedHashMap<>();
    private final Set<ManagedWorker> draining = new LinkedHashSet<>();
    private final List<Action> out = new ArrayList<>();
    private Phase phase = Phase.STARTING;
    private long nextId = 1;
    private int generation = 1;
    /** The generation a reload in progress brings, or 0. */
    private int reloadTarget;
    private boolean reloadQueued;
    private long nextSpawnAllowed;
    private long nextAdapt;
    private long giveUpAt;
    private long startDeadline;

    Supervisor(ManagerConfig config, Probe probe) {
        this.config = Objects.requireNonNull(config, "config");
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    /** Starts one worker per slot; call once, first. */
    List<Action> start(long now) {
        for (int i = 0; i < config.workers(); i++) {
            slots.add(new Slot(i, now));
        }
        startDeadline = now + config.readyTimeout().toNanos();
        nextSpawnAllowed = now;
        return tick(now);
    }

    /** The worker process {@code worker} was started as {@code pid}. */
    List<Action> started(long worker, long pid, long now) {
        ManagedWorker w = live.get(worker);
        if (w != null) {
            w.pid = pid;
            if (phase != Phase.STARTING) {
                log(INFO, "started " + w);
            }
        }
        return drain();
    }

    /** The worker process could not be started at all (the JVM did not run). */
    List<Action> spawnFailed(long worker, String why, long now) {
        ManagedWorker w = live.remove(worker);
        if (w != null) {
            log(ERROR, "cannot start a worker for slot " + w.slot + ": " + why);
            lost(w, "could not be started", now);
        }
        return tick(now);
    }

    /** The worker accepts connections now. */
    List<Action> ready(long worker, long now) {
        ManagedWorker w = live.get(worker);
        if (w == null || w.stopping) {
            return tick(now);
        }
        w.ready = true;
        w.readyAt = now;
        Slot slot = slotOf(w);
        if (phase == Phase.STARTING) {
            checkStarted(now);
        } else if (slot != null && w == slot.active) {
            log(INFO, w + " ready");
        } else if (slot != null && w == slot.successor && !(wholeGeneration() && w.generation == reloadTarget)) {
            takeOver(slot, now);
        }
        progressReload(now);
        return tick(now);
    }

    /** The worker served its share of requests and asks for a successor. */
    List<Action> retiring(long worker, long now) {
        ManagedWorker w = live.get(worker);
        Slot slot = w == null ? null : slotOf(w);
        if (slot != null && w == slot.active && phase == Phase.RUNNING && !slot.retire) {
            slot.retire = true;
            log(INFO, w + " served its share of requests; starting its successor");
        }
        return tick(now);
    }

    /** The worker process ended; {@code how} says how, e.g. "exited with status 1". */
    List<Action> exited(long worker, String how, long now) {
        ManagedWorker w = live.remove(worker);
        if (w == null) {
            return tick(now);
        }
        if (draining.remove(w)) {
            log(INFO, w + " " + how);
        } else {
            lost(w, how, now);
        }
        return tick(now);
    }

    /** A signal reached the manager: TERM, INT, HUP, TTIN or TTOU. */
    List<Action> signal(String name, long now) {
        switch (name) {
            case "TERM", "INT" -> stop(name, now);
            case "HUP" -> startReload(now);
            case "TTIN" -> {
                if (phase == Phase.STARTING || phase == Phase.RUNNING) {
                    int index = slots.stream().mapToInt(s -> s.index + 1).max().orElse(0);
                    slots.add(new Slot(index, now));
                    log(INFO, "SIGTTIN: workers " + (slots.size() - 1) + " -> " + slots.size());
                }
            }
            case "TTOU" -> removeSlot(now);
            default -> log(WARNING, "SIG" + name + " has no meaning here");
        }
        return tick(now);
    }

    /** Time passed: hangs, overdue kills, restarts, the adaptive pool. Call at least every {@link #nextWakeup}. */
    List<Action> tick(long now) {
        switch (phase) {
            case STARTING -> {
                if (now - startDeadline >= 0 && slots.stream().anyMatch(s -> s.active == null || !s.active.ready)) {
                    failStart("workers did not become ready within " + config.readyTimeout().toSeconds() + " s", now);
                } else {
                    spawnDue(now);
                }
            }
            case RUNNING -> {
                findHung(now);
                findNeverReady(now);
                resetStableSlots(now);
                adaptPool(now);
                spawnDue(now);
            }
            case STOPPING, START_FAILED -> {
            }
        }
        killOverdue(now);
        return drain();
    }

    /** Whether the manager is done: stopped (or failed to start) and every worker gone, or given up on. */
    boolean finished(long now) {
        return (phase == Phase.STOPPING || phase == Phase.START_FAILED) && (live.isEmpty() || now - giveUpAt >= 0);
    }

    /** The manager's exit status once {@link #finished}: 0 after a stop, {@link Manager#EXIT_START_FAILED} after a failed start. */
    int exitStatus() {
        return phase == Phase.START_FAILED ? Manager.EXIT_START_FAILED : 0;
    }

    /** When {@link #tick} has something to do next. */
    long nextWakeup(long now) {
        long next = now + TICK.toNanos();
        if (phase == Phase.STOPPING || phase == Phase.START_FAILED) {
            next = Math.min(next, giveUpAt);
        }
        for (Slot slot : phase == Phase.RUNNING ? slots : List.<Slot>of()) {
            long due = slot.restartAt - nextSpawnAllowed > 0 ? slot.restartAt : nextSpawnAllowed;
            if (slot.active == null && due - next < 0) {
                next = due;
            }
        }
        for (ManagedWorker w : draining) {
            if (w.killAt != 0 && w.killAt - next < 0) {
                next = w.killAt;
            }
        }
        return Math.max(now, next);
    }

    /** Slots waiting out a back-off, for the scoreboard. */
    List<Backoff> backoffs() {
        return slots.stream().filter(s -> s.active == null && s.failures > 1)
                .map(s -> new Backoff(s.index, s.failures, s.restartAt)).toList();
    }

    /** The generation serving now (the last one whose reload finished). */
    int generation() {
        return generation;
    }

    /** The generation a reload in progress brings, or 0 when none is in progress. */
    int reloading() {
        return reloadTarget;
    }

    /** Every worker process alive, by id: what the manager must kill should it die itself. */
    Collection<Long> liveWorkers() {
        return List.copyOf(live.keySet());
    }

    // ---- decisions ----

    private void stop(String name, long now) {
        if (phase == Phase.STOPPING || phase == Phase.START_FAILED) {
            if (name.equals("INT")) {
                log(WARNING, "second SIGINT: killing " + pids(live.values().stream()));
                live.values().forEach(w -> out.add(new Action.Kill(w.id)));
            }
            return;
        }
        phase = Phase.STOPPING;
        reloadTarget = 0;
        reloadQueued = false;
        out.add(new Action.CloseListeners());
        for (Slot slot : slots) {
            Stream.of(slot.active, slot.successor).filter(Objects::nonNull).forEach(w -> stopWorker(w, now));
            slot.active = null;
            slot.successor = null;
        }
        giveUpAt = now + config.gracefulTimeout().toNanos() + STOP_MARGIN.toNanos() + START_FAILURE_WAIT.toNanos();
        log(INFO, "SIG" + name + ": stopping " + pids(draining.stream()) + " gracefully (at most "
                + config.gracefulTimeout().toSeconds() + " s, --graceful-timeout)");
    }

    private void failStart(String why, long now) {
        log(ERROR, why + "; stopping");
        phase = Phase.START_FAILED;
        for (ManagedWorker w : live.values()) {
            w.stopping = true;
            draining.add(w);
            out.add(new Action.Kill(w.id));
        }
        slots.forEach(s -> {
            s.active = null;
            s.successor = null;
        });
        giveUpAt = now + START_FAILURE_WAIT.toNanos();
    }

    private void startReload(long now) {
        switch (phase) {
            case STOPPING, START_FAILED -> {
                return;
            }
            case STARTING -> {
                reloadQueued = true;
                log(INFO, "SIGHUP while starting: the reload starts once every worker accepts");
                return;
            }
            case RUNNING -> {
            }
        }
        if (reloadTarget != 0) {
            log(INFO, reloadQueued ? "SIGHUP: a reload is already queued behind generation " + reloadTarget
                    : "SIGHUP: the reload to generation " + reloadTarget + " is in progress; another starts as soon as it ends");
            reloadQueued = true;
            return;
        }
        reloadTarget = generation + 1;
        slots.forEach(s -> s.retire = false);
        log(INFO, "SIGHUP: starting generation " + reloadTarget + " ("
                + (wholeGeneration() ? "all at once" : "one every " + config.spawnInterval().toSeconds() + " s") + ")");
        progressReload(now);
    }

    /** Finishes the reload when every slot serves its generation; with no spawn interval, swaps all slots at once. */
    private void progressReload(long now) {
        if (reloadTarget == 0) {
            return;
        }
        if (wholeGeneration() && slots.stream().allMatch(s -> servesTarget(s.active) || servesTarget(s.successor))) {
            // All at once: no slot keeps old code while another runs new code for longer than the swap.
            slots.stream().filter(s -> servesTarget(s.successor)).forEach(s -> takeOver(s, now));
        }
        if (slots.stream().allMatch(s -> servesTarget(s.active))) {
            generation = reloadTarget;
            reloadTarget = 0;
            log(INFO, "reload done; generation " + generation + " serves with pids " + pids(actives()));
            startQueuedReload(now);
        }
    }

    private boolean servesTarget(ManagedWorker w) {
        return w != null && w.ready && !w.stopping && w.generation >= reloadTarget;
    }

    private void abortReload(String why, long now) {
        int failed = reloadTarget;
        for (Slot slot : slots) {
            if (slot.successor != null && slot.successor.generation == failed) {
                killWorker(slot.successor);
                slot.successor = null;
            }
            if (slot.active != null && slot.active.generation == failed) {
                // A slot added or restarted during the reload runs the failed code: replace it with the serving code.
                slot.retire = true;
            }
        }
        reloadTarget = 0;
        log(ERROR, "reload to generation " + failed + " failed: " + why + "; the workers serving now keep serving");
        startQueuedReload(now);
    }

    private void startQueuedReload(long now) {
        if (reloadQueued) {
            reloadQueued = false;
            log(INFO, "starting the queued reload");
            startReload(now);
        }
    }

    private boolean wholeGeneration() {
        return config.spawnInterval().isZero();
    }

    private void takeOver(Slot slot, long now) {
        ManagedWorker old = slot.active;
        ManagedWorker successor = slot.successor;
        slot.active = successor;
        slot.successor = null;
        slot.retire = false;
        if (old != null) {
            stopWorker(old, now);
        }
        log(INFO, successor + " took over" + (old == null ? "" : " from " + old + ", which now drains"));
    }

    /** What a slot does when its worker ends without having been asked to: exit, hang, or no ready in time. */
    private void lost(ManagedWorker w, String how, long now) {
        Slot slot = slotOf(w);
        if (slot == null) {
            return;
        }
        if (phase == Phase.STARTING) {
            failStart(w + " " + how + " before it was ready", now);
            return;
        }
        long delay = recordFailure(slot, w, now);
        String retry = delay == 0 ? "" : " in " + Duration.ofNanos(delay).toSeconds() + " s (" + slot.failures
                + " failures in a row; the wait doubles up to " + MAX_BACKOFF.toSeconds() + " s)";
        boolean newCode = reloadTarget != 0 && w.generation == reloadTarget;
        if (w == slot.active) {
            slot.active = slot.successor; // a successor already starting takes the slot as it is
            slot.successor = null;
            log(WARNING, w + " " + how + (slot.active == null ? "; restarting" + retry : "; " + slot.active + " takes its place"));
        } else {
            slot.successor = null;
            if (!newCode) {
                log(WARNING, w + " " + how + " before it was ready; " + slot.active + " keeps serving and gets another successor"
                        + retry);
            }
        }
        if (newCode) {
            abortReload(w + " " + how + (w.ready ? "" : " before it was ready"), now);
        }
        progressReload(now);
    }

    /** Counts a failure of {@code slot}'s worker and sets its next start; returns the wait. */
    private long recordFailure(Slot slot, ManagedWorker w, long now) {
        slot.failures++;
        long delay = slot.failures <= 1 ? 0 : Math.min(MAX_BACKOFF.toNanos(), Duration.ofSeconds(1).toNanos() << Math.min(slot.failures - 2, 20));
        slot.restartAt = now + delay;
        return delay;
    }

    private void resetStableSlots(long now) {
        for (Slot slot : slots) {
            if (slot.failures > 0 && slot.active != null && slot.active.ready && now - slot.active.readyAt >= STABLE_AFTER.toNanos()) {
                slot.failures = 0;
            }
        }
    }

    private void removeSlot(long now) {
        if (phase != Phase.RUNNING && phase != Phase.STARTING) {
            return;
        }
        if (slots.size() <= 1) {
            log(WARNING, "SIGTTOU ignored: one worker is the minimum");
            return;
        }
        Slot gone = dropSlot(now);
        log(INFO, "SIGTTOU: workers " + (slots.size() + 1) + " -> " + slots.size()
                + (gone.active == null ? "" : "; " + gone.active + " drains"));
        if (phase == Phase.STARTING) {
            checkStarted(now); // the slots left may all be ready now
        }
        progressReload(now);
    }

    /** The server serves once every slot's first worker accepts. */
    private void checkStarted(long now) {
        if (slots.stream().allMatch(s -> s.active != null && s.active.ready)) {
            phase = Phase.RUNNING;
            log(INFO, "serving " + config.description() + " with " + slots.size() + " worker(s), pids " + pids(actives()));
            startQueuedReload(now);
        }
    }

    /** Removes a slot whose worker is idle if there is one (so no request waits on a drain), else the newest. */
    private Slot dropSlot(long now) {
        Slot gone = slots.stream().filter(s -> s.successor == null && s.active != null && isIdle(s.active))
                .reduce((a, b) -> b).orElse(slots.getLast());
        slots.remove(gone);
        Stream.of(gone.active, gone.successor).filter(Objects::nonNull).forEach(w -> stopWorker(w, now));
        return gone;
    }

    private boolean isIdle(ManagedWorker w) {
        return w.ready && probe.observe(w.id).map(Probe.Observation::idle).orElse(false);
    }

    /** A worker whose heartbeat stopped: dump its threads, kill it shortly after, restart its slot now. */
    private void findHung(long now) {
        for (Slot slot : List.copyOf(slots)) {
            for (ManagedWorker w : new ManagedWorker[] {slot.active, slot.successor}) {
                if (w == null || !w.ready || w.stopping) {
                    continue;
                }
                Optional<Probe.Observation> seen = probe.observe(w.id);
                if (seen.isPresent() && seen.get().sinceHeartbeat().compareTo(config.workerTimeout()) > 0) {
                    Probe.Observation o = seen.get();
                    log(WARNING, w + ": heartbeat stopped " + o.sinceHeartbeat().toSeconds() + " s ago (--worker-timeout "
                            + config.workerTimeout().toSeconds() + " s) with " + o.inFlight() + " request(s) in flight"
                            + (o.oldestRequest().isEmpty() ? "" : " (oldest: " + o.oldestRequest() + ")")
                            + "; thread dump requested with SIGQUIT (the worker's stderr, in this log as [worker " + w.pid
                            + "]), SIGKILL in " + DUMP_GRACE.toSeconds() + " s; a replacement starts now");
                    dumpAndKill(w, now);
                    lost(w, "stopped heartbeating", now);
                }
            }
        }
    }

    /** A worker that did not accept within the ready timeout is treated as one that died starting. */
    private void findNeverReady(long now) {
        for (ManagedWorker w : List.copyOf(live.values())) {
            if (!w.ready && !w.stopping && now - w.spawnedAt - config.readyTimeout().toNanos() >= 0) {
                log(WARNING, w + " did not accept within " + config.readyTimeout().toSeconds()
                        + " s; thread dump requested with SIGQUIT, SIGKILL in " + DUMP_GRACE.toSeconds() + " s");
                dumpAndKill(w, now);
                lost(w, "did not accept within " + config.readyTimeout().toSeconds() + " s", now);
            }
        }
    }

    private void dumpAndKill(ManagedWorker w, long now) {
        out.add(new Action.DumpThreads(w.id));
        w.stopping = true;
        w.killAt = now + DUMP_GRACE.toNanos();
        draining.add(w);
    }

    /** The adaptive pool: one step per interval towards [min-spare, max-spare] idle workers. */
    private void adaptPool(long now) {
        if (config.spares().isEmpty() || reloadTarget != 0 || now - nextAdapt < 0) {
            return;
        }
        nextAdapt = now + ADAPT_INTERVAL.toNanos();
        Spares spares = config.spares().get();
        long starting = slots.stream().filter(s -> s.active == null || !s.active.ready).count();
        long idle = slots.stream().map(s -> s.active).filter(w -> w != null && isIdle(w)).count();
        if (idle + starting < spares.minSpare() && slots.size() < spares.maxWorkers()) {
            int index = slots.stream().mapToInt(s -> s.index + 1).max().orElse(0);
            slots.add(new Slot(index, now));
            log(INFO, idle + " idle worker(s), fewer than --min-spare " + spares.minSpare() + ": workers "
                    + (slots.size() - 1) + " -> " + slots.size());
        } else if (idle > spares.maxSpare() && slots.size() > 1) {
            Slot gone = dropSlot(now);
            log(INFO, idle + " idle worker(s), more than --max-spare " + spares.maxSpare() + ": workers "
                    + (slots.size() + 1) + " -> " + slots.size() + (gone.active == null ? "" : "; " + gone.active + " drains"));
        }
    }

    /** Starts what is due: workers for empty slots, then successors, within the spawn interval. */
    private void spawnDue(long now) {
        int target = reloadTarget != 0 ? reloadTarget : generation;
        boolean paced = !config.spawnInterval().isZero();
        for (Slot slot : slots) {
            if (paced && now - nextSpawnAllowed < 0) {
                return;
            }
            if (now - slot.restartAt < 0) {
                continue;
            }
            if (slot.active == null) {
                slot.active = spawn(slot, target, now);
            } else if (slot.successor == null && (slot.retire || slot.active.generation < target)) {
                if (!slot.active.ready && slot.active.generation < target) {
                    // It has served nothing yet: replace it rather than start a second worker for the slot.
                    stopWorker(slot.active, now);
                    slot.active = spawn(slot, target, now);
                } else if (!(paced && reloadTarget != 0 && slots.stream().anyMatch(s -> s.successor != null))) {
                    // A paced reload (slow restart) has one successor starting at a time.
                    slot.successor = spawn(slot, target, now);
                }
            }
        }
    }

    private ManagedWorker spawn(Slot slot, int gen, long now) {
        ManagedWorker w = new ManagedWorker(nextId++, slot.index, gen, now);
        live.put(w.id, w);
        nextSpawnAllowed = now + config.spawnInterval().toNanos();
        out.add(new Action.Spawn(w.id, slot.index, gen));
        return w;
    }

    private void stopWorker(ManagedWorker w, long now) {
        w.stopping = true;
        w.killAt = now + config.gracefulTimeout().toNanos() + STOP_MARGIN.toNanos();
        draining.add(w);
        out.add(new Action.Stop(w.id));
    }

    private void killWorker(ManagedWorker w) {
        w.stopping = true;
        w.killAt = 0;
        draining.add(w);
        out.add(new Action.Kill(w.id));
    }

    private void killOverdue(long now) {
        for (ManagedWorker w : draining) {
            if (w.killAt != 0 && now - w.killAt >= 0) {
                log(WARNING, w + " still running; SIGKILL");
                out.add(new Action.Kill(w.id));
                w.killAt = 0;
            }
        }
    }

    // ---- bookkeeping ----

    private Slot slotOf(ManagedWorker w) {
        for (Slot s : slots) {
            if (s.active == w || s.successor == w) {
                return s;
            }
        }
        return null;
    }

    private Stream<ManagedWorker> actives() {
        return slots.stream().map(s -> s.active).filter(Objects::nonNull);
    }

    private void log(System.Logger.Level level, String message) {
        out.add(new Action.Log(level, message));
    }

    private List<Action> drain() {
        List<Action> actions = List.copyOf(out);
        out.clear();
        return actions;
    }

    private static String pids(Stream<ManagedWorker> workers) {
        return workers.map(w -> Long.toString(w.pid)).collect(Collectors.joining(", "));
    }

}
