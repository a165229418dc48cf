package dev.starling.worker;

import static java.lang.System.Logger.Level.DEBUG;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import sun.misc.Signal;

/**
 * The worker process's side of its bond with the {@link Manager}: who the manager is, how to
 * tell it "accepting now", and which signals mean what.
 *
 * <p>The manager passes its pid and the worker's slot in the environment and reads the
 * worker's standard output: a line equal to {@link #READY_LINE} says the worker accepts
 * connections; every other line is copied to the manager's own output.
 */
public final class ManagerLink {

    /** The line a worker prints on standard output once its listeners accept. */
    public static final String READY_LINE = "@starling:ready";

    /** The line a worker prints when it served its share of requests and asks to be replaced. */
    public static final String RETIRE_LINE = "@starling:retire";

    static final String ENV_MANAGER_PID = "STARLING_MANAGER_PID";
    static final String ENV_SLOT = "STARLING_WORKER_SLOT";
    static final String ENV_GENERATION = "STARLING_WORKER_GENERATION";
    static final String ENV_SCOREBOARD = "STARLING_SCOREBOARD";
    static final long HEARTBEAT_MILLIS = 500;
    static final String ENV_ROW = "STARLING_SCOREBOARD_ROW";

    /** How often a worker publishes its row of the scoreboard. */
    static final Duration HEARTBEAT = Duration.ofMillis(HEARTBEAT_MILLIS);

    private static final System.Logger LOG = System.getLogger(ManagerLink.class.getName());

    private final long managerPid;
    private final int slot;
    private final Optional<Path> scoreboard;
    private final int row;

    private ManagerLink(long managerPid, int slot, Optional<Path> scoreboard, int row) {
        this.managerPid = managerPid;
        this.slot = slot;
        this.scoreboard = scoreboard;
        this.row = row;
    }

    /** The link of a process started by a {@link Manager}; empty for a process started by hand. */
    public static Optional<ManagerLink> fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static Optional<ManagerLink> fromEnvironment(Map<String, String> env) {
        String pid = env.get(ENV_MANAGER_PID);
        String slot = env.get(ENV_SLOT);
        if (pid == null || slot == null) {
            return Optional.empty();
        }
        String board = env.get(ENV_SCOREBOARD);
        String row = env.get(ENV_ROW);
        return Optional.of(new ManagerLink(Long.parseLong(pid), Integer.parseInt(slot),
                Optional.ofNullable(board).map(Path::of), row == null ? -1 : Integer.parseInt(row)));
    }

    /** The manager's pid. */
    public long managerPid() {
        return managerPid;
    }

    /** This worker's slot number, 0-based, stable across restarts of the slot. */
    public int slot() {
        return slot;
    }

    /**
     * Whether the manager still exists. A worker whose manager died is re-parented (to init or
     * a subreaper), so its parent pid changes: polling that noticed a SIGKILLed manager in
     * ~50 ms here, where {@code parent().onExit()} took seconds.
     */
    public boolean managerAlive() {
        OptionalLong parent = ProcessHandle.current().parent().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
        return parent.isPresent() && parent.getAsLong() == managerPid;
    }

    /**
     * Publishes {@code group}'s state in this worker's scoreboard row now and every
     * {@value #HEARTBEAT_MILLIS} ms from a daemon thread: the manager reads these heartbeats to
     * find hung workers, {@code server status} to show them. Does nothing without a scoreboard.
     */
    public void startHeartbeat(WorkerGroup group) throws IOException {
        if (scoreboard.isEmpty() || row < 0) {
            return;
        }
        Scoreboard board = Scoreboard.open(scoreboard.get(), true);
        publish(board, group);
        Thread.ofPlatform().daemon().name("scoreboard heartbeat").start(() -> {
            try {
                while (true) {
                    Thread.sleep(HEARTBEAT);
                    publish(board, group);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void publish(Scoreboard board, WorkerGroup group) {
        WorkerGroup.Stats stats = group.stats();
        WorkerStatus.State state = stats.draining() ? WorkerStatus.State.DRAINING
                : stats.inFlight() > 0 ? WorkerStatus.State.BUSY : WorkerStatus.State.IDLE;
        board.publish(row, state, stats.requests(), stats.inFlight(), stats.bytesOut(), stats.oldestStartMillis(),
                stats.oldestSummary() == null ? "" : stats.oldestSummary().toString());
    }

    /** Tells the manager this worker accepts connections now. */
    public void ready() {
        tell(READY_LINE);
    }

    /**
     * Asks the manager for a replacement ({@code --max-requests-per-child}): the manager starts
     * one, and once it accepts, stops this worker gracefully, so capacity never dips.
     */
    public void retire() {
        tell(RETIRE_LINE);
    }

    private static void tell(String line) {
        PrintStream out = System.out;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /**
     * Installs the worker's signal handlers: TERM runs {@code onStop} (a graceful drain); INT and
     * HUP are ignored, because a Ctrl-C or a hangup in a terminal reaches the whole foreground
     * process group, and it is the manager's job to decide what they mean for its workers.
     */
    public static void installWorkerSignals(Runnable onStop) {
        Signal.handle(new Signal("TERM"), s -> onStop.run());
        for (String ignored : new String[] {"INT", "HUP"}) {
            Signal.handle(new Signal(ignored), s -> LOG.log(DEBUG, () -> "worker pid " + ProcessHandle.current().pid()
                    + ": SIG" + ignored + " ignored; the manager decides"));
        }
    }
}
