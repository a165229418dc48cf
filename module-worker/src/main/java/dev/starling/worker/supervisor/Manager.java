package dev.starling.worker.supervisor;

import dev.starling.worker.Listener;
import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.worker.internal.Native;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * The manager process: starts {@link ManagerConfig#workers()} worker JVMs before any request is
 * served and keeps them alive. Signals: TERM and INT stop gracefully (a second INT forces), HUP
 * reloads (a new generation of workers takes over once every one of them accepts), TTIN adds a
 * worker and TTOU removes one. A worker that asks to retire is replaced the same way, its
 * successor accepting before it stops.
 *
 * <p>What to do is decided by the {@link Supervisor}; this class only carries its actions out
 * (processes, signals, the scoreboard, the log) and feeds it events. One thread (the caller of
 * {@link #run()}) owns all state; signal handlers and process callbacks only post {@link Event}s
 * to it, so nothing here needs a lock.
 */
public final class Manager {

    private static final System.Logger LOG = System.getLogger(Manager.class.getName());

    /** Status of a manager whose first workers could not start (bad configuration, port taken). */
    public static final int EXIT_START_FAILED = 1;

    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP", "TTIN", "TTOU");

    private static final int SIGQUIT = 3;

    /** Scoreboard rows: room for the largest pool, its successors during a reload, and draining workers. */
    static final int SCOREBOARD_ROWS = 4096;

    /**
     * The manager could not start at all (its pid file or scoreboard cannot be written); nothing
     * was started. The message is one line for the operator.
     */
    public static final class CannotStart extends IOException {
        private static final long serialVersionUID = 1L;

        CannotStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

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

    private final ManagerConfig config;
    private final Closeable listeners;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final long pid = ProcessHandle.current().pid();
    private final BitSet rowsInUse = new BitSet();
    /** Every worker process started and not yet reported exited, by the policy's id; read by the exit hook too. */
    private final Map<Long, WorkerProcess> processes = new ConcurrentHashMap<>();
    private final Map<WorkerProcess, Long> ids = new IdentityHashMap<>();
    private Supervisor policy;
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

    /** A manager whose listening sockets (if any) are closed by the caller only. */
    public Manager(ManagerConfig config) {
        this(config, () -> { });
    }

    /**
     * @param config    how to run the workers
     * @param listeners the manager's own copies of the listening sockets, closed when a stop
     *                  begins, so that once the workers close theirs new connections are refused
     *                  instead of queued and reset; closing must be idempotent (the caller closes
     *                  them again when {@link #run()} returns)
     */
    public Manager(ManagerConfig config, Closeable listeners) {
        this.config = Objects.requireNonNull(config, "config");
        this.listeners = Objects.requireNonNull(listeners, "listeners");
    }

    /**
     * Runs until stopped by a signal; called once, on the thread that owns the manager.
     *
     * @return the process exit status: 0 after a graceful stop, {@link #EXIT_START_FAILED}
     *         when the first workers could not start
     * @throws CannotStart when the pid file or the scoreboard cannot be written
     */
    public int run() throws IOException, InterruptedException {
        try {
            PidFile.write(config.pidFile(), pid);
        } catch (IOException e) {
            throw new CannotStart("cannot write the pid file " + config.pidFile().orElseThrow() + ": " + reason(e)
                    + " (--pid-file)", e);
        }
        try {
            scoreboard = Scoreboard.create(Scoreboard.defaultPath(pid), SCOREBOARD_ROWS);
        } catch (IOException e) {
            PidFile.delete(config.pidFile(), pid);
            throw new CannotStart("cannot create the scoreboard " + Scoreboard.defaultPath(pid) + ": " + reason(e), e);
        }
        try {
            control = ControlChannel.open(ControlChannel.defaultPath(pid));
        } catch (IOException e) {
            PidFile.delete(config.pidFile(), pid);
            scoreboard.delete();
            throw new CannotStart("cannot open the control socket " + ControlChannel.defaultPath(pid) + ": " + reason(e), e);
        }
        // If the manager's JVM ends any other way (an error, System.exit), take the workers along.
        Thread killer = new Thread(this::killAll, "kill workers on exit");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            for (String name : SIGNALS) {
                Signal.handle(new Signal(name), s -> events.add(new Event.Signalled(name)));
            }
            return supervise();
        } finally {
            control.close();
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
                LOG.log(DEBUG, () -> "manager pid " + pid + ": exiting during JVM shutdown");
            }
        }
    }

    private int supervise() throws InterruptedException {
        policy = new Supervisor(config, this::observe);
        long now = System.nanoTime();
        execute(policy.start(now));
        while (!policy.finished(now)) {
            Event event = events.poll(Math.max(1, policy.nextWakeup(now) - now), TimeUnit.NANOSECONDS);
            now = System.nanoTime();
            if (event != null) {
                execute(handle(event, now));
            }
            execute(policy.tick(now));
            publishPool(now);
        }
        if (!processes.isEmpty()) {
            LOG.log(WARNING, () -> "manager pid " + pid + ": workers " + processes.values().stream().map(w -> Long.toString(w.pid))
                    .toList() + " did not exit after SIGKILL; exiting without them");
        } else if (policy.exitStatus() == 0) {
            LOG.log(System.Logger.Level.INFO, () -> "manager pid " + pid + ": all workers stopped; exiting");
        }
        return policy.exitStatus();
    }

    private List<Action> handle(Event event, long now) {
        return switch (event) {
            case Event.Ready r -> idOf(r.worker()).map(id -> policy.ready(id, now)).orElse(List.of());
            case Event.Retiring r -> idOf(r.worker()).map(id -> policy.retiring(id, now)).orElse(List.of());
            case Event.Exited e -> {
                WorkerProcess w = e.worker();
                scoreboard.release(w.row);
                rowsInUse.clear(w.row);
                Long id = ids.remove(w);
                if (id == null) {
                    yield List.of();
                }
                processes.remove(id);
                yield policy.exited(id, WorkerProcess.describe(w.exitValue()), now);
            }
            case Event.Signalled s -> policy.signal(s.name(), now);
        };
    }

    private Optional<Long> idOf(WorkerProcess worker) {
        return Optional.ofNullable(ids.get(worker));
    }

    private void execute(List<Action> actions) {
        for (Action action : actions) {
            switch (action) {
                case Action.Spawn s -> spawn(s);
                case Action.Stop s -> process(s.worker()).ifPresent(WorkerProcess::stop);
                case Action.Kill k -> process(k.worker()).ifPresent(WorkerProcess::kill);
                case Action.DumpThreads d -> process(d.worker()).ifPresent(this::dumpThreads);
                case Action.CloseListeners c -> closeListeners();
                case Action.Log l -> LOG.log(l.level(), "manager pid " + pid + ": " + l.message());
            }
        }
    }

    private Optional<WorkerProcess> process(long id) {
        return Optional.ofNullable(processes.get(id));
    }

    private void spawn(Action.Spawn spawn) {
        long now = System.nanoTime();
        int row = rowsInUse.nextClearBit(0);
        if (row >= scoreboard.rows()) {
            execute(policy.spawnFailed(spawn.worker(), "all " + scoreboard.rows() + " scoreboard rows are in use", now));
            return;
        }
        WorkerProcess w;
        try {
            w = WorkerProcess.start(spawn.slot(), spawn.generation(), config.command(), scoreboard, row, listener, config.shared(),
                    control);
        } catch (IOException e) {
            execute(policy.spawnFailed(spawn.worker(), String.valueOf(e.getMessage()), now));
            return;
        }
        rowsInUse.set(row);
        processes.put(spawn.worker(), w);
        ids.put(w, spawn.worker());
        execute(policy.started(spawn.worker(), w.pid, now));
    }

    private void dumpThreads(WorkerProcess w) {
        try {
            Native.kill(w.pid, SIGQUIT);
        } catch (IOException e) {
            LOG.log(WARNING, () -> "manager pid " + pid + ": cannot ask " + w + " for a thread dump: " + e.getMessage());
        }
    }

    private void closeListeners() {
        try {
            listeners.close();
        } catch (IOException e) {
            LOG.log(WARNING, () -> "manager pid " + pid + ": closing the listening sockets failed: " + e);
        }
    }

    /** What the scoreboard shows of worker {@code id}, for the policy. */
    private Optional<Probe.Observation> observe(long id) {
        WorkerProcess w = processes.get(id);
        if (w == null) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        return scoreboard.read(w.row).filter(s -> s.pid() == w.pid && s.state() != WorkerStatus.State.STARTING)
                .map(s -> new Probe.Observation(s.state() == WorkerStatus.State.IDLE,
                        Duration.between(s.heartbeat(), now), s.inFlight(), s.requestLine()));
    }

    /** Writes the pool's own state (generation, reload, back-offs) into the scoreboard's header for {@code server status}. */
    private void publishPool(long now) {
        long wallNow = System.currentTimeMillis();
        List<Scoreboard.SlotBackoff> backoffs = policy.backoffs().stream()
                .map(b -> new Scoreboard.SlotBackoff(b.slot(), b.failures(), wallNow + Math.max(0, b.restartAt() - now) / 1_000_000))
                .toList();
        scoreboard.publishPool(new Scoreboard.PoolStatus(policy.generation(), policy.reloading(), backoffs));
    }

    private void killAll() {
        // Also run by the shutdown hook, on another thread: the map is concurrent.
        processes.values().stream().filter(WorkerProcess::alive).forEach(WorkerProcess::kill);
    }

    /** The cause in a few words: the JDK's file exceptions carry only the path in their message. */
    private static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException denied -> "permission denied";
            case java.nio.file.NoSuchFileException missing -> "no such file or folder";
            case java.nio.file.FileSystemException fs when fs.getReason() != null -> fs.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }
}
