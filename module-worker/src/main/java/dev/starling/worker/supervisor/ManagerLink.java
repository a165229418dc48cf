package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.DEBUG;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * The worker process's side of its bond with the {@link Manager}: who the manager is, how to
 * tell it "accepting now" or "replace me", how to learn that it is gone, and which signals mean
 * what.
 *
 * <p>The manager passes its pid, the worker's slot and scoreboard row, and how to reach its
 * control socket in the environment. Messages travel over that socket, never over standard
 * output: {@link ControlChannel} documents the protocol.
 */
public final class ManagerLink {

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
    private final Optional<Path> controlSocket;
    private final String token;
    private volatile ControlClient control;
    /** Set once the control connection ended: the manager exited or was killed. */
    private volatile boolean controlEnded;
    private final Object onGoneLock = new Object();
    /** Guarded by onGoneLock; null once they ran. */
    private List<Runnable> onGone = new ArrayList<>();

    private ManagerLink(long managerPid, int slot, Optional<Path> scoreboard, int row, Optional<Path> controlSocket,
                        String token) {
        this.managerPid = managerPid;
        this.slot = slot;
        this.scoreboard = scoreboard;
        this.row = row;
        this.controlSocket = controlSocket;
        this.token = token;
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
                Optional.ofNullable(board).map(Path::of), row == null ? -1 : Integer.parseInt(row),
                Optional.ofNullable(env.get(ControlChannel.ENV_SOCKET)).map(Path::of),
                env.getOrDefault(ControlChannel.ENV_TOKEN, "")));
    }

    /**
     * Starts connecting to the manager's control socket, in the background, and introduces this
     * worker; call once, first thing (before plugins load, so that a manager that dies meanwhile
     * is noticed), from the main thread. Returns at once; {@link #ready()} and {@link #retire()}
     * wait for the connection. Pure JDK: it loads no native code. From now on, the end of the
     * connection (or a manager that cannot be reached, which is logged) runs the
     * {@link #onManagerGone} actions and makes {@link #managerAlive()} false.
     *
     * @throws IOException when the environment names no control socket (the process was not
     *         started by a manager of this build)
     */
    public void connect() throws IOException {
        if (controlSocket.isEmpty()) {
            throw new IOException(ControlChannel.ENV_SOCKET + " is not set; start workers through the manager");
        }
        control = ControlClient.start(controlSocket.get(), token, ManagerLink::ignore, this::controlEnded);
    }

    /** A line from the manager: none is defined yet, and a worker ignores those it does not know. */
    private static void ignore(String line) {
        LOG.log(DEBUG, () -> "worker pid " + ProcessHandle.current().pid() + ": control message from the manager ignored: " + line);
    }

    private void controlEnded() {
        controlEnded = true;
        List<Runnable> actions;
        synchronized (onGoneLock) {
            actions = onGone;
            onGone = null;
        }
        if (actions != null) {
            actions.forEach(Runnable::run);
        }
    }

    /**
     * Runs {@code action} once when the control connection ends, which happens when the manager
     * exits or is killed: on the link's reader thread, or at once on the caller's thread when it
     * ended already. Meant for a worker to stop at once, whatever its listeners are doing. Never
     * runs without {@link #connect()}. Thread-safe.
     */
    public void onManagerGone(Runnable action) {
        synchronized (onGoneLock) {
            if (onGone != null) {
                onGone.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * For the training run of the workers' AOT cache: connects to a stand-in manager's control
     * socket in {@code dir}, says ready and retire and sees the socket close, as a worker does,
     * so that what a worker loads and links for it at start comes from the cache.
     *
     * @throws IOException when the stand-in socket cannot be created or did not hear both lines
     *         within a few seconds
     */
    public static void rehearse(Path dir) throws IOException, InterruptedException {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        CountDownLatch gone = new CountDownLatch(1);
        try (ControlChannel manager = ControlChannel.open(dir.resolve("rehearsal.control"))) {
            ControlChannel.Session session = manager.newSession();
            session.attach(new ControlChannel.Peer() {
                @Override
                public void received(String line) {
                    heard.add(line);
                }

                @Override
                public void disconnected() {
                    heard.add("");
                }
            });
            ManagerLink link = new ManagerLink(ProcessHandle.current().pid(), 0, Optional.empty(), -1,
                    Optional.of(manager.path()), session.token());
            link.connect();
            link.onManagerGone(gone::countDown);
            link.ready();
            link.retire();
            for (String expected : List.of(ControlChannel.READY, ControlChannel.RETIRE)) {
                if (!expected.equals(heard.poll(5, TimeUnit.SECONDS))) {
                    throw new IOException("the rehearsal's manager did not hear '" + expected + "'");
                }
            }
        }
        if (!gone.await(5, TimeUnit.SECONDS)) {
            throw new IOException("the rehearsal's worker did not see its manager's socket close");
        }
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
     * Whether the manager still exists: false once the control connection ended (see
     * {@link #connect()}), or once this process's parent is another (a worker whose manager died
     * is re-parented to init or a subreaper; polling that noticed a SIGKILLed manager in ~50 ms
     * here, where {@code parent().onExit()} took seconds). Cheap and thread-safe.
     */
    public boolean managerAlive() {
        if (controlEnded) {
            return false;
        }
        OptionalLong parent = ProcessHandle.current().parent().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
        return parent.isPresent() && parent.getAsLong() == managerPid;
    }

    /**
     * Publishes {@code group}'s state in this worker's scoreboard row now and every
     * {@value #HEARTBEAT_MILLIS} ms: the manager reads these heartbeats to find hung workers,
     * {@code server status} to show them. The beat runs on a virtual thread on purpose: when a
     * worker's carriers are all pinned or its scheduler is stuck, its connections are stuck too,
     * and the heartbeat must stop with them so that the manager notices. Does nothing without a
     * scoreboard.
     */
    public void startHeartbeat(WorkerGroup group) throws IOException {
        if (scoreboard.isEmpty() || row < 0) {
            return;
        }
        Scoreboard board = Scoreboard.open(scoreboard.get(), true);
        publish(board, group);
        Thread.ofVirtual().name("scoreboard heartbeat").start(() -> {
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

    /** Tells the manager this worker accepts connections now; after {@link #connect()}, from any thread. */
    public void ready() {
        tell(ControlChannel.READY);
    }

    /**
     * Asks the manager for a replacement ({@code --max-requests-per-child}): the manager starts
     * one, and once it accepts, stops this worker gracefully, so capacity never dips. After
     * {@link #connect()}, from any thread.
     */
    public void retire() {
        tell(ControlChannel.RETIRE);
    }

    private void tell(String line) {
        ControlClient link = control;
        if (link == null) {
            throw new IllegalStateException("not connected to the manager: call connect() first");
        }
        try {
            link.send(line);
        } catch (IOException e) {
            // The manager is gone: the end of the connection stops this worker, not this failure.
            LOG.log(DEBUG, () -> "worker pid " + ProcessHandle.current().pid() + ": telling the manager '" + line
                    + "' failed: " + e);
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
