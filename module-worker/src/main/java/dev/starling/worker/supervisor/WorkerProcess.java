package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One worker JVM started by the {@link Manager}: its process, its session on the
 * {@link ControlChannel}, and the threads that copy its output ({@link WorkerOutput}).
 */
final class WorkerProcess {

    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());

    /** How long after a worker's exit its output may take to reach the end before the exit is reported anyway (a child of the worker may hold the pipe). */
    private static final long OUTPUT_GRACE_MILLIS = 1000;

    /**
     * What the manager learns about a worker. {@link #ready} and {@link #retiring} are called on
     * the control channel's thread, {@link #exited} on a thread of the JDK's process reaper or of
     * the output copy; each must return quickly.
     */
    interface Listener {
        /** The worker accepts connections now. */
        void ready(WorkerProcess worker);

        /** The worker served its share of requests and asks to be replaced. */
        void retiring(WorkerProcess worker);

        /** The process ended (its exit status is available) and what it wrote has been copied. */
        void exited(WorkerProcess worker);
    }

    final int slot;
    final int generation;
    /** This worker's row of the scoreboard. */
    final int row;
    final java.lang.Process process;
    final long pid;
    /** This worker's connection to the manager; for messages to the worker. */
    final ControlChannel.Session control;
    volatile boolean ready;
    volatile boolean stopping;
    private final Listener listener;
    private boolean warnedUnknown;

    private WorkerProcess(int slot, int generation, int row, java.lang.Process process, ControlChannel.Session control,
                          Listener listener) {
        this.slot = slot;
        this.generation = generation;
        this.row = row;
        this.process = process;
        this.pid = process.pid();
        this.control = control;
        this.listener = listener;
    }

    /**
     * Starts a worker. ProcessBuilder serves here: it starts the JVM with only fds 0–2 (where
     * posix_spawnp leaks every non-CLOEXEC fd of the manager into the child), standard input
     * inherited passes the shared listening socket the manager put on fd 0, and
     * {@code onExit()} reports a death within ~20 ms, SIGKILL included. Standard output and
     * error are pipes, copied to the manager's own with the worker's pid in front of each line.
     * Call from the manager's thread.
     */
    static WorkerProcess start(int slot, int generation, List<String> command, Scoreboard scoreboard, int row,
                               Listener listener, Optional<SharedListeners> shared, ControlChannel channel) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(ManagerLink.ENV_MANAGER_PID, Long.toString(ProcessHandle.current().pid()));
        builder.environment().put(ManagerLink.ENV_SLOT, Integer.toString(slot));
        builder.environment().put(ManagerLink.ENV_GENERATION, Integer.toString(generation));
        builder.environment().put(ManagerLink.ENV_SCOREBOARD, scoreboard.file().toString());
        builder.environment().put(ManagerLink.ENV_ROW, Integer.toString(row));
        ControlChannel.Session session = channel.newSession();
        builder.environment().put(ControlChannel.ENV_SOCKET, channel.path().toString());
        builder.environment().put(ControlChannel.ENV_TOKEN, session.token());
        java.lang.Process process;
        try {
            // Several listeners: standard input carries them all (SharedListeners), not one socket.
            process = shared.isPresent() ? shared.get().start(builder) : builder.start();
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        WorkerProcess worker = new WorkerProcess(slot, generation, row, process, session, listener);
        // The JVM needs far longer to boot than this takes, so the row is ours before the worker writes it.
        scoreboard.claim(row, worker.pid, slot, generation);
        session.attach(worker.new Messages());
        CompletableFuture<Void> copied = CompletableFuture.allOf(
                WorkerOutput.copy(process.getInputStream(), System.out, worker.pid, "stdout"),
                WorkerOutput.copy(process.getErrorStream(), System.err, worker.pid, "stderr"));
        // Its last words (why it could not start, say) are in the manager's output before the manager says it exited.
        process.onExit().thenRun(() -> copied.completeOnTimeout(null, OUTPUT_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    session.close();
                    listener.exited(worker);
                }));
        return worker;
    }

    /** What the worker says on the control channel; the verbs are those of {@link ControlChannel}'s protocol. */
    private final class Messages implements ControlChannel.Peer {
        @Override
        public void received(String line) {
            switch (line) {
                case ControlChannel.READY -> {
                    ready = true;
                    listener.ready(WorkerProcess.this);
                }
                case ControlChannel.RETIRE -> listener.retiring(WorkerProcess.this);
                default -> {
                    if (!warnedUnknown) {
                        warnedUnknown = true;
                        LOG.log(WARNING, () -> WorkerProcess.this + ": unknown control message ignored ("
                                + line.length() + " characters); later ones are ignored quietly");
                    }
                }
            }
        }

        @Override
        public void disconnected() {
            LOG.log(System.Logger.Level.DEBUG, () -> WorkerProcess.this + ": control connection closed");
        }

        @Override
        public String toString() {
            return WorkerProcess.this.toString();
        }
    }

    /**
     * Asks for a graceful stop (SIGTERM: the worker drains). Through the process handle: the
     * {@code Process} methods would also close the pipes, and what the worker says while it
     * drains would be lost.
     */
    void stop() {
        stopping = true;
        process.toHandle().destroy();
    }

    /** Ends the process now (SIGKILL); what it wrote before still reaches the manager's output. */
    void kill() {
        stopping = true;
        process.toHandle().destroyForcibly();
    }

    boolean alive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** The exit status as an operator reads it: the JDK reports a death by signal N as 128 + N. */
    static String describe(int status) {
        if (status > 128 && status < 128 + 32) {
            int signal = status - 128;
            return "killed by signal " + signal + signalName(signal);
        }
        return "exited with status " + status;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 3 -> " (SIGQUIT)";
            case 4 -> " (SIGILL)";
            case 6 -> " (SIGABRT)";
            case 7 -> " (SIGBUS)";
            case 8 -> " (SIGFPE)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 13 -> " (SIGPIPE)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }

    @Override
    public String toString() {
        return "worker pid " + pid + " (slot " + slot + ", generation " + generation + ")";
    }
}
