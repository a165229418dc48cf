package dev.starling.worker;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import sun.misc.Signal;

/**
 * The manager process: starts {@link ManagerConfig#workers()} worker JVMs before any request is
 * served, replaces any that dies, and stops them all gracefully on SIGTERM or SIGINT.
 *
 * <p>One thread (the caller of {@link #run()}) owns all state; signal handlers and process-exit
 * callbacks only post {@link Event}s to it, so nothing here needs a lock.
 */
public final class Manager {

    private static final System.Logger LOG = System.getLogger(Manager.class.getName());

    /** A slot whose worker keeps dying is restarted no faster than this, so a crash loop cannot spin the CPU. */
    static final Duration MIN_RESTART_INTERVAL = Duration.ofSeconds(1);

    /** Status of a manager whose first workers could not start (bad configuration, port taken). */
    public static final int EXIT_START_FAILED = 1;

    private sealed interface Event {
        record Ready(WorkerProcess worker) implements Event {
        }

        record Exited(WorkerProcess worker) implements Event {
        }

        record Signalled(String name) implements Event {
        }
    }

    private final ManagerConfig config;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final WorkerProcess[] slots;
    private final long[] lastSpawnNanos;
    private final long[] restartDueNanos;
    private final long pid = ProcessHandle.current().pid();
    private boolean stopping;
    private long stopDeadlineNanos;

    public Manager(ManagerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.slots = new WorkerProcess[config.workers()];
        this.lastSpawnNanos = new long[config.workers()];
        this.restartDueNanos = new long[config.workers()];
    }

    /**
     * Runs until stopped by a signal; called once, on the thread that owns the manager.
     *
     * @return the process exit status: 0 after a graceful stop, {@link #EXIT_START_FAILED}
     *         when the first workers could not start
     */
    public int run() throws IOException, InterruptedException {
        writePidFile();
        // If the manager's JVM ends any other way (an error, System.exit), take the workers along.
        Thread killer = new Thread(this::killAll, "kill workers on exit");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            for (String name : new String[] {"TERM", "INT"}) {
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
            deletePidFile();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook runs anyway; it is harmless once the workers are gone.
                LOG.log(System.Logger.Level.DEBUG, "manager pid {0}: exiting during JVM shutdown", pid);
            }
        }
    }

    /** Starts every slot and waits until each worker accepts; false if one died or timed out first. */
    private boolean startAll() throws IOException, InterruptedException {
        for (int slot = 0; slot < slots.length; slot++) {
            spawn(slot);
        }
        long deadline = System.nanoTime() + config.readyTimeout().toNanos();
        int ready = 0;
        while (ready < slots.length) {
            Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            switch (event) {
                case null -> {
                    LOG.log(ERROR, () -> "manager pid " + pid + ": workers did not become ready within "
                            + config.readyTimeout().toSeconds() + " s; stopping");
                    return false;
                }
                case Event.Ready r -> ready++;
                case Event.Exited e -> {
                    LOG.log(ERROR, () -> "manager pid " + pid + ": " + e.worker() + " "
                            + WorkerProcess.describe(e.worker().exitValue()) + " before it was ready; stopping");
                    slots[e.worker().slot] = null;
                    return false;
                }
                case Event.Signalled s -> {
                    LOG.log(INFO, () -> "manager pid " + pid + ": SIG" + s.name() + " while starting; stopping");
                    return false;
                }
            }
        }
        LOG.log(INFO, () -> "manager pid " + pid + ": serving " + config.description() + " with " + slots.length
                + " worker(s), pids " + livePids());
        return true;
    }

    private void superviseUntilStopped() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (stopping) {
                if (allExited()) {
                    LOG.log(INFO, () -> "manager pid " + pid + ": all workers stopped; exiting");
                    return;
                }
                if (now - stopDeadlineNanos >= 0) {
                    LOG.log(WARNING, () -> "manager pid " + pid + ": workers " + livePids()
                            + " still running after the graceful timeout; killing them");
                    killAll();
                    stopDeadlineNanos = now + TimeUnit.SECONDS.toNanos(5);
                }
            } else {
                restartDueSlots(now);
            }
            Event event = events.poll(nextWakeupNanos(now) - now, TimeUnit.NANOSECONDS);
            if (event != null) {
                handle(event);
            }
        }
    }

    private void handle(Event event) {
        switch (event) {
            case Event.Ready r -> LOG.log(INFO, () -> "manager pid " + pid + ": " + r.worker() + " ready");
            case Event.Exited e -> exited(e.worker());
            case Event.Signalled s -> signalled(s.name());
        }
    }

    private void exited(WorkerProcess worker) {
        if (slots[worker.slot] != worker) {
            return;
        }
        slots[worker.slot] = null;
        String why = WorkerProcess.describe(worker.exitValue());
        if (stopping || worker.stopping) {
            LOG.log(INFO, () -> "manager pid " + pid + ": " + worker + " " + why);
            return;
        }
        long due = Math.max(System.nanoTime(), lastSpawnNanos[worker.slot] + MIN_RESTART_INTERVAL.toNanos());
        restartDueNanos[worker.slot] = due;
        LOG.log(WARNING, () -> "manager pid " + pid + ": " + worker + " " + why + "; restarting");
    }

    private void signalled(String name) {
        if (!stopping) {
            stopping = true;
            // Workers get the same time to finish, plus a margin for their own exit.
            stopDeadlineNanos = System.nanoTime() + config.gracefulTimeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
            LOG.log(INFO, () -> "manager pid " + pid + ": SIG" + name + ": stopping " + livePids()
                    + " gracefully (at most " + config.gracefulTimeout().toSeconds() + " s, --graceful-timeout)");
            for (WorkerProcess w : slots) {
                if (w != null) {
                    w.stop();
                }
            }
        } else if (name.equals("INT")) {
            LOG.log(WARNING, () -> "manager pid " + pid + ": second SIGINT: killing " + livePids());
            killAll();
        }
    }

    private void restartDueSlots(long now) {
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot] == null && now - restartDueNanos[slot] >= 0) {
                try {
                    WorkerProcess w = spawn(slot);
                    LOG.log(INFO, () -> "manager pid " + pid + ": started " + w);
                } catch (IOException e) {
                    int s = slot;
                    LOG.log(ERROR, () -> "manager pid " + pid + ": cannot start a worker for slot " + s + ": " + e);
                    restartDueNanos[slot] = now + MIN_RESTART_INTERVAL.toNanos();
                }
            }
        }
    }

    private long nextWakeupNanos(long now) {
        long next = now + TimeUnit.SECONDS.toNanos(1);
        if (stopping) {
            return Math.min(next, stopDeadlineNanos);
        }
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot] == null && restartDueNanos[slot] - next < 0) {
                next = restartDueNanos[slot];
            }
        }
        return next;
    }

    private WorkerProcess spawn(int slot) throws IOException {
        lastSpawnNanos[slot] = System.nanoTime();
        WorkerProcess w = WorkerProcess.start(slot, config.command(),
                ready -> events.add(new Event.Ready(ready)),
                gone -> events.add(new Event.Exited(gone)));
        slots[slot] = w;
        return w;
    }

    private boolean allExited() {
        for (WorkerProcess w : slots) {
            if (w != null) {
                return false;
            }
        }
        return true;
    }

    private void awaitAllExited(long deadline) throws InterruptedException {
        for (WorkerProcess w : slots) {
            if (w != null) {
                w.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void killAll() {
        for (WorkerProcess w : slots.clone()) {
            if (w != null && w.process.isAlive()) {
                w.kill();
            }
        }
    }

    private String livePids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerProcess w : slots) {
            if (w != null) {
                pids.add(w.pid);
            }
        }
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private void writePidFile() throws IOException {
        if (config.pidFile().isPresent()) {
            Path file = config.pidFile().get();
            Files.writeString(file, pid + "\n");
        }
    }

    private void deletePidFile() {
        config.pidFile().ifPresent(file -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(WARNING, () -> "manager pid " + pid + ": cannot remove pid file " + file + ": " + e);
            }
        });
    }
}
