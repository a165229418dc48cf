package dev.starling.worker;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * The manager process: starts {@link ManagerConfig#workers()} worker JVMs before any request is
 * served and keeps them alive. Signals: TERM and INT stop gracefully (a second INT forces), HUP
 * reloads (a new generation of workers takes over once every one of them accepts), TTIN adds a
 * worker and TTOU removes one. A worker that asks to retire is replaced the same way, its
 * successor accepting before it stops.
 *
 * <p>One thread (the caller of {@link #run()}) owns all state; signal handlers and process
 * callbacks only post {@link Event}s to it, so nothing here needs a lock.
 */
public final class Manager {

    private static final System.Logger LOG = System.getLogger(Manager.class.getName());

    /** A slot whose worker keeps dying is restarted no faster than this, so a crash loop cannot spin the CPU. */
    static final Duration MIN_RESTART_INTERVAL = Duration.ofSeconds(1);

    /** Status of a manager whose first workers could not start (bad configuration, port taken). */
    public static final int EXIT_START_FAILED = 1;

    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP", "TTIN", "TTOU");

    /** A hung worker gets SIGTERM, then SIGKILL after this long. */
    static final Duration HUNG_KILL_GRACE = Duration.ofSeconds(3);

    /** Scoreboard rows: room for the largest pool, its successors during a reload, and draining workers. */
    static final int SCOREBOARD_ROWS = 4096;

    private sealed interface Event {
        record Ready(WorkerProcess worker) implements Event {
        }

        record Retiring(WorkerProcess worker) implements Event {
        }

        record Exited(WorkerProcess worker) implements Event {
        }

        record Signalled(String name) implements Event {
        }
    }

    /** A reload in progress: every slot gets a successor of {@code generation}. */
    private record Reload(int generation, long deadlineNanos) {
    }

    private final ManagerConfig config;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Slot> slots = new ArrayList<>();
    private final Set<WorkerProcess> draining = new HashSet<>();
    private final long pid = ProcessHandle.current().pid();
    private final BitSet rowsInUse = new BitSet();
    private Scoreboard scoreboard;
    private ControlChannel control;
    private final WorkerProcess.Listener listener = new WorkerProcess.Listener() {
        @Override
        public void ready(WorkerProcess worker) {
            events.add(new Event.Ready(worker));
        }

        @Override
        public void retiring(WorkerProcess worker) {
            events.add(new Event.Retiring(worker));
        }

        @Override
        public void exited(WorkerProcess worker) {
            events.add(new Event.Exited(worker));
        }
    };
    private int generation = 1;
    private long nextAdaptNanos;
    private Reload reload;
    private long nextSpawnAllowedNanos;
    private boolean stopping;
    private long stopDeadlineNanos;

    public Manager(ManagerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Runs until stopped by a signal; called once, on the thread that owns the manager.
     *
     * @return the process exit status: 0 after a graceful stop, {@link #EXIT_START_FAILED}
     *         when the first workers could not start
     */
    public int run() throws IOException, InterruptedException {
        PidFile.write(config.pidFile(), pid);
        scoreboard = Scoreboard.create(Scoreboard.defaultPath(pid), SCOREBOARD_ROWS);
        // If the manager's JVM ends any other way (an error, System.exit), take the workers along.
        Thread killer = new Thread(this::killAll, "kill workers on exit");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            try {
                control = ControlChannel.open(ControlChannel.defaultPath(pid));
            } catch (IOException e) {
                LOG.log(ERROR, () -> "manager pid " + pid + ": cannot start: " + e.getMessage());
                return EXIT_START_FAILED;
            }
            for (String name : SIGNALS) {
                Signal.handle(new Signal(name), s -> events.add(new Event.Signalled(name)));
            }
            if (!startAll()) {
                killAll();
                awaitAllExited(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                return EXIT_START_FAILED;
            }
            superviseUntilStopped();
            return 0;
        } finally {
            if (control != null) {
                control.close();
            }
            PidFile.delete(config.pidFile(), pid);
            try {
                scoreboard.delete();
            } catch (IOException e) {
                LOG.log(WARNING, () -> "manager pid " + pid + ": cannot remove scoreboard " + scoreboard.file() + ": " + e);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook runs anyway; it is harmless once the workers are gone.
                LOG.log(System.Logger.Level.DEBUG, "manager pid {0}: exiting during JVM shutdown", pid);
            }
        }
    }

    /** Starts every slot at once and waits until each worker accepts; false if one died or timed out first. */
    private boolean startAll() throws IOException, InterruptedException {
        long now = System.nanoTime();
        for (int i = 0; i < config.workers(); i++) {
            Slot slot = new Slot(i, now);
            slots.add(slot);
            slot.active = spawn(slot, generation);
        }
        long deadline = now + config.readyTimeout().toNanos();
        int ready = 0;
        while (ready < slots.size()) {
            Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            switch (event) {
                case null -> {
                    LOG.log(ERROR, () -> "manager pid " + pid + ": workers did not become ready within "
                            + config.readyTimeout().toSeconds() + " s; stopping");
                    return false;
                }
                case Event.Ready r -> ready++;
                case Event.Retiring r -> {
                    Slot slot = slotOf(r.worker());
                    if (slot != null) {
                        slot.retireRequested = true;
                    }
                }
                case Event.Exited e -> {
                    LOG.log(ERROR, () -> "manager pid " + pid + ": " + e.worker() + " "
                            + WorkerProcess.describe(e.worker().exitValue()) + " before it was ready; stopping");
                    return false;
                }
                case Event.Signalled s -> {
                    LOG.log(INFO, () -> "manager pid " + pid + ": SIG" + s.name() + " while starting; stopping");
                    return false;
                }
            }
        }
        LOG.log(INFO, () -> "manager pid " + pid + ": serving " + config.description() + " with " + slots.size()
                + " worker(s), pids " + pids(actives()));
        return true;
    }

    private void superviseUntilStopped() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (stopping) {
                if (draining.isEmpty()) {
                    LOG.log(INFO, () -> "manager pid " + pid + ": all workers stopped; exiting");
                    return;
                }
                killOverdue(now);
                if (now - stopDeadlineNanos >= 0) {
                    LOG.log(WARNING, () -> "manager pid " + pid + ": workers " + pids(draining.stream())
                            + " still running after the graceful timeout; killing them");
                    killAll();
                    stopDeadlineNanos = now + TimeUnit.SECONDS.toNanos(5);
                }
            } else {
                findHungWorkers(now);
                adaptPool(now);
                spawnDue(now);
                if (reload != null && now - reload.deadlineNanos() >= 0) {
                    abortReload("its workers did not all accept within " + config.readyTimeout().toSeconds() + " s");
                }
            }
            Event event = events.poll(Math.max(1, nextWakeupNanos(now) - now), TimeUnit.NANOSECONDS);
            if (event != null) {
                handle(event);
            }
        }
    }

    private void handle(Event event) {
        switch (event) {
            case Event.Ready r -> ready(r.worker());
            case Event.Retiring r -> retiring(r.worker());
            case Event.Exited e -> exited(e.worker());
            case Event.Signalled s -> signalled(s.name());
        }
    }

    private void ready(WorkerProcess worker) {
        Slot slot = slotOf(worker);
        if (slot == null) {
            return;
        }
        if (worker == slot.active) {
            LOG.log(INFO, () -> "manager pid " + pid + ": " + worker + " ready");
        } else if (worker == slot.successor) {
            boolean wholeGeneration = reload != null && config.spawnInterval().isZero() && worker.generation == reload.generation();
            if (!wholeGeneration) {
                takeOver(slot);
            } else if (slots.stream().allMatch(s -> s.successor != null && s.successor.ready)) {
                // A reload swaps all at once, so no request ever meets a mix of old and new code.
                slots.forEach(this::takeOver);
            }
            finishReloadIfDone();
        }
    }

    private void takeOver(Slot slot) {
        WorkerProcess old = slot.active;
        WorkerProcess successor = slot.successor;
        slot.active = successor;
        slot.successor = null;
        slot.retireRequested = false;
        if (old != null) {
            old.stop();
            draining.add(old);
        }
        LOG.log(INFO, () -> "manager pid " + pid + ": " + successor + " took over"
                + (old == null ? "" : " from " + old + ", which now drains"));
    }

    private void finishReloadIfDone() {
        if (reload != null && slots.stream().allMatch(s -> s.active != null && s.active.generation >= reload.generation())) {
            generation = reload.generation();
            reload = null;
            LOG.log(INFO, () -> "manager pid " + pid + ": reload done; generation " + generation + " serves with pids "
                    + pids(actives()));
        }
    }

    private void retiring(WorkerProcess worker) {
        Slot slot = slotOf(worker);
        if (slot != null && worker == slot.active && !stopping) {
            slot.retireRequested = true;
            LOG.log(INFO, () -> "manager pid " + pid + ": " + worker + " served its share of requests; starting its successor");
        }
    }

    private void exited(WorkerProcess worker) {
        String why = WorkerProcess.describe(worker.exitValue());
        scoreboard.release(worker.row);
        rowsInUse.clear(worker.row);
        if (draining.remove(worker)) {
            LOG.log(INFO, () -> "manager pid " + pid + ": " + worker + " " + why);
            return;
        }
        Slot slot = slotOf(worker);
        if (slot == null) {
            return;
        }
        if (worker == slot.successor) {
            slot.successor = null;
            if (reload != null && worker.generation == reload.generation()) {
                abortReload(worker + " " + why + " before it was ready");
            } else {
                LOG.log(WARNING, () -> "manager pid " + pid + ": " + worker + " " + why + " before it was ready; "
                        + slot.active + " keeps serving and gets another successor");
            }
        } else if (worker == slot.active) {
            slot.active = null;
            slot.restartDueNanos = Math.max(System.nanoTime(), slot.earliestStart());
            LOG.log(WARNING, () -> "manager pid " + pid + ": " + worker + " " + why + "; restarting");
        }
    }

    private void signalled(String name) {
        switch (name) {
            case "TERM", "INT" -> stop(name);
            case "HUP" -> startReload();
            case "TTIN" -> {
                if (!stopping) {
                    addSlot(System.nanoTime());
                    LOG.log(INFO, () -> "manager pid " + pid + ": SIGTTIN: workers " + (slots.size() - 1) + " -> " + slots.size());
                }
            }
            case "TTOU" -> removeSlot();
            default -> LOG.log(WARNING, "manager pid {0}: SIG{1} has no meaning here", pid, name);
        }
    }

    private void stop(String name) {
        if (!stopping) {
            stopping = true;
            reload = null;
            // Workers get the same time to finish, plus a margin for their own exit.
            stopDeadlineNanos = System.nanoTime() + config.gracefulTimeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
            for (Slot slot : slots) {
                Stream.of(slot.active, slot.successor).filter(Objects::nonNull).forEach(w -> {
                    w.stop();
                    draining.add(w);
                });
                slot.active = null;
                slot.successor = null;
            }
            LOG.log(INFO, () -> "manager pid " + pid + ": SIG" + name + ": stopping " + pids(draining.stream())
                    + " gracefully (at most " + config.gracefulTimeout().toSeconds() + " s, --graceful-timeout)");
        } else if (name.equals("INT")) {
            LOG.log(WARNING, () -> "manager pid " + pid + ": second SIGINT: killing " + pids(draining.stream()));
            killAll();
        }
    }

    private void startReload() {
        if (stopping) {
            return;
        }
        if (reload != null) {
            LOG.log(WARNING, "manager pid {0}: SIGHUP ignored: the reload to generation {1} is still in progress", pid, reload.generation());
            return;
        }
        int next = generation + 1;
        // Paced reloads start one successor per spawn interval; each may take the ready timeout.
        long budget = config.readyTimeout().toNanos()
                + (config.spawnInterval().isZero() ? 0 : slots.size() * (config.spawnInterval().toNanos() + config.readyTimeout().toNanos()));
        reload = new Reload(next, System.nanoTime() + budget);
        slots.forEach(s -> s.retireRequested = false);
        LOG.log(INFO, () -> "manager pid " + pid + ": SIGHUP: starting generation " + next + " ("
                + (config.spawnInterval().isZero() ? "all at once" : "one every " + config.spawnInterval().toSeconds() + " s") + ")");
    }

    private void abortReload(String why) {
        int failed = reload.generation();
        for (Slot slot : slots) {
            if (slot.successor != null && slot.successor.generation == failed) {
                slot.successor.kill();
                draining.add(slot.successor);
                slot.successor = null;
            }
        }
        reload = null;
        LOG.log(ERROR, () -> "manager pid " + pid + ": reload to generation " + failed + " failed: " + why
                + "; the workers serving now keep serving");
    }

    private void removeSlot() {
        if (stopping) {
            return;
        }
        if (slots.size() <= 1) {
            LOG.log(WARNING, "manager pid {0}: SIGTTOU ignored: one worker is the minimum", pid);
            return;
        }
        Slot gone = dropSlot();
        LOG.log(INFO, () -> "manager pid " + pid + ": SIGTTOU: workers " + (slots.size() + 1) + " -> " + slots.size()
                + (gone.active == null ? "" : "; " + gone.active + " drains"));
    }

    private void addSlot(long now) {
        int index = slots.stream().mapToInt(s -> s.index + 1).max().orElse(0);
        slots.add(new Slot(index, now));
    }

    /** Removes a slot whose worker is idle if there is one (so no request waits on a drain), else the newest. */
    private Slot dropSlot() {
        Slot gone = slots.stream().filter(s -> s.successor == null && s.active != null && isIdle(s.active))
                .reduce((a, b) -> b).orElse(slots.getLast());
        slots.remove(gone);
        Stream.of(gone.active, gone.successor).filter(Objects::nonNull).forEach(w -> {
            w.stop();
            draining.add(w);
        });
        return gone;
    }

    private boolean isIdle(WorkerProcess w) {
        return w.ready && scoreboard.read(w.row).map(st -> st.pid() == w.pid && st.state() == WorkerStatus.State.IDLE).orElse(false);
    }

    /** The adaptive pool: one step a second towards [min-spare, max-spare] idle workers. */
    private void adaptPool(long now) {
        if (config.spares().isEmpty() || reload != null || now - nextAdaptNanos < 0) {
            return;
        }
        nextAdaptNanos = now + TimeUnit.SECONDS.toNanos(1);
        Spares spares = config.spares().get();
        long starting = slots.stream().filter(s -> s.active == null || !s.active.ready).count();
        long idle = slots.stream().map(s -> s.active).filter(w -> w != null && isIdle(w)).count();
        if (idle + starting < spares.minSpare() && slots.size() < spares.maxWorkers()) {
            addSlot(now);
            LOG.log(INFO, () -> "manager pid " + pid + ": " + idle + " idle worker(s), fewer than --min-spare " + spares.minSpare()
                    + ": workers " + (slots.size() - 1) + " -> " + slots.size());
        } else if (idle > spares.maxSpare() && slots.size() > 1) {
            Slot gone = dropSlot();
            LOG.log(INFO, () -> "manager pid " + pid + ": " + idle + " idle worker(s), more than --max-spare " + spares.maxSpare()
                    + ": workers " + (slots.size() + 1) + " -> " + slots.size()
                    + (gone.active == null ? "" : "; " + gone.active + " drains"));
        }
    }

    /** Starts what is due: workers for empty slots, then successors, within the spawn interval. */
    private void spawnDue(long now) {
        int target = reload == null ? generation : reload.generation();
        boolean paced = !config.spawnInterval().isZero();
        for (Slot slot : slots) {
            if (paced && now - nextSpawnAllowedNanos < 0) {
                return;
            }
            if (slot.active == null && now - slot.restartDueNanos >= 0) {
                slot.active = trySpawn(slot, generation, now);
            } else if (slot.successor == null && slot.wantsSuccessor(target) && now - slot.earliestStart() >= 0
                    && !(paced && reload != null && slots.stream().anyMatch(s -> s.successor != null))) {
                // A paced reload (slow restart) has one successor starting at a time.
                slot.successor = trySpawn(slot, target, now);
            }
        }
    }

    private WorkerProcess trySpawn(Slot slot, int gen, long now) {
        try {
            WorkerProcess w = spawn(slot, gen);
            nextSpawnAllowedNanos = now + config.spawnInterval().toNanos();
            LOG.log(INFO, () -> "manager pid " + pid + ": started " + w);
            return w;
        } catch (IOException e) {
            LOG.log(ERROR, () -> "manager pid " + pid + ": cannot start a worker for slot " + slot.index + ": " + e);
            slot.lastSpawnNanos = now;
            slot.restartDueNanos = slot.earliestStart();
            return null;
        }
    }

    private WorkerProcess spawn(Slot slot, int gen) throws IOException {
        slot.lastSpawnNanos = System.nanoTime();
        int row = rowsInUse.nextClearBit(0);
        if (row >= scoreboard.rows()) {
            throw new IOException("all " + scoreboard.rows() + " scoreboard rows are in use");
        }
        WorkerProcess w = WorkerProcess.start(slot.index, gen, config.command(), scoreboard, row, listener, config.shared(), control);
        rowsInUse.set(row);
        return w;
    }

    /**
     * Stops workers that the scoreboard shows inside one request for longer than the request
     * timeout, or silent (no heartbeat) for that long; their slots get new workers at once.
     */
    private void findHungWorkers(long now) {
        Instant wallNow = Instant.now();
        for (Slot slot : slots) {
            WorkerProcess w = slot.active;
            if (w == null || !w.ready) {
                continue;
            }
            String why = scoreboard.read(w.row).filter(s -> s.pid() == w.pid)
                    .flatMap(s -> s.hungReason(wallNow, config.requestTimeout())).orElse(null);
            if (why != null) {
                w.stop();
                w.killAtNanos = now + HUNG_KILL_GRACE.toNanos();
                draining.add(w);
                slot.active = null;
                slot.restartDueNanos = Math.max(now, slot.earliestStart());
                LOG.log(WARNING, () -> "manager pid " + pid + ": " + w + " " + why + ", longer than --request-timeout "
                        + config.requestTimeout().toSeconds() + " s; stopping it (SIGKILL in " + HUNG_KILL_GRACE.toSeconds()
                        + " s) and starting a replacement");
            }
        }
        killOverdue(now);
    }

    private void killOverdue(long now) {
        for (WorkerProcess w : draining) {
            if (w.killAtNanos != 0 && now - w.killAtNanos >= 0 && w.alive()) {
                LOG.log(WARNING, () -> "manager pid " + pid + ": " + w + " still running; SIGKILL");
                w.kill();
                w.killAtNanos = 0;
            }
        }
    }

    private long nextWakeupNanos(long now) {
        long next = now + TimeUnit.SECONDS.toNanos(1);
        if (stopping) {
            return Math.min(next, stopDeadlineNanos);
        }
        for (Slot slot : slots) {
            long due = slot.active == null ? slot.restartDueNanos : slot.earliestStart();
            if (slot.active == null || (slot.successor == null && (slot.retireRequested || reload != null))) {
                due = Math.max(due, nextSpawnAllowedNanos);
                if (due - next < 0) {
                    next = due;
                }
            }
        }
        return next;
    }

    /** The slot {@code worker} serves or is about to, or null once it left the pool (draining, or its slot was removed). */
    private Slot slotOf(WorkerProcess worker) {
        for (Slot s : slots) {
            if (s.active == worker || s.successor == worker) {
                return s;
            }
        }
        return null;
    }

    private Stream<WorkerProcess> actives() {
        return slots.stream().map(s -> s.active).filter(Objects::nonNull);
    }

    private Stream<WorkerProcess> everyWorker() {
        return Stream.concat(slots.stream().flatMap(s -> Stream.of(s.active, s.successor)), draining.stream())
                .filter(Objects::nonNull);
    }

    private void awaitAllExited(long deadline) throws InterruptedException {
        for (WorkerProcess w : everyWorker().toList()) {
            w.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void killAll() {
        // Also run by the shutdown hook: copy before iterating, the owner thread may be mid-change.
        List<WorkerProcess> all;
        try {
            all = everyWorker().toList();
        } catch (RuntimeException concurrentChange) {
            all = List.copyOf(draining);
        }
        all.stream().filter(WorkerProcess::alive).forEach(WorkerProcess::kill);
    }

    private static String pids(Stream<WorkerProcess> workers) {
        return workers.map(w -> String.valueOf(w.pid)).collect(Collectors.joining(", "));
    }
}
