package dev.starling.worker;

import static java.lang.System.Logger.Level.WARNING;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One worker JVM started by the {@link Manager}, with the thread that reads its standard output. */
final class WorkerProcess {

    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());

    /** What a worker's standard output tells its manager. */
    interface Listener {
        /** The worker accepts connections now. */
        void ready(WorkerProcess worker);

        /** The worker served its share of requests and asks to be replaced. */
        void retiring(WorkerProcess worker);

        /** The process ended (its exit status is available). */
        void exited(WorkerProcess worker);
    }

    final int slot;
    final int generation;
    /** This worker's row of the scoreboard. */
    final int row;
    /** When a hung worker that was asked to stop gets SIGKILL (System.nanoTime), or 0. */
    long killAtNanos;
    final java.lang.Process process;
    final long pid;
    volatile boolean ready;
    volatile boolean stopping;

    private WorkerProcess(int slot, int generation, int row, java.lang.Process process) {
        this.slot = slot;
        this.generation = generation;
        this.row = row;
        this.process = process;
        this.pid = process.pid();
    }

    /**
     * Starts a worker. ProcessBuilder serves here: it starts the JVM with only fds 0–2 (where
     * posix_spawnp leaks every non-CLOEXEC fd of the manager into the child), standard input
     * inherited passes the shared listening socket the manager put on fd 0, and
     * {@code onExit()} reports a death within ~20 ms, SIGKILL included.
     */
    static WorkerProcess start(int slot, int generation, List<String> command, Scoreboard scoreboard, int row,
                               Listener listener, java.util.Optional<SharedListeners> shared) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(ManagerLink.ENV_MANAGER_PID, Long.toString(ProcessHandle.current().pid()));
        builder.environment().put(ManagerLink.ENV_SLOT, Integer.toString(slot));
        builder.environment().put(ManagerLink.ENV_GENERATION, Integer.toString(generation));
        builder.environment().put(ManagerLink.ENV_SCOREBOARD, scoreboard.file().toString());
        builder.environment().put(ManagerLink.ENV_ROW, Integer.toString(row));
        // Several listeners: standard input carries them all (SharedListeners), not one socket.
        java.lang.Process process = shared.isPresent() ? shared.get().start(builder) : builder.start();
        WorkerProcess worker = new WorkerProcess(slot, generation, row, process);
        // The JVM needs far longer to boot than this takes, so the row is ours before the worker writes it.
        scoreboard.claim(row, worker.pid, slot, generation);
        Thread.ofVirtual().name("stdout of worker " + worker.pid).start(() -> worker.copyOutput(listener));
        worker.process.onExit().thenRun(() -> listener.exited(worker));
        return worker;
    }

    private void copyOutput(Listener listener) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.equals(ManagerLink.READY_LINE)) {
                    ready = true;
                    listener.ready(this);
                } else if (line.equals(ManagerLink.RETIRE_LINE)) {
                    listener.retiring(this);
                } else {
                    System.out.println(line);
                }
            }
        } catch (IOException e) {
            LOG.log(WARNING, () -> this + ": reading its output failed: " + e);
        }
    }

    /** Asks for a graceful stop (SIGTERM: the worker drains). */
    void stop() {
        stopping = true;
        process.destroy();
    }

    /** Ends the process now (SIGKILL). */
    void kill() {
        stopping = true;
        process.destroyForcibly();
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
