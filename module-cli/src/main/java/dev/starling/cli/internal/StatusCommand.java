package dev.starling.cli.internal;

import dev.starling.worker.supervisor.Scoreboard;
import dev.starling.worker.supervisor.WorkerStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server status}: the running server's scoreboard, one line per worker and the totals, as {@code apachectl status} shows them. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the workers of the server whose manager wrote --pid-file: state, requests, bytes, current request.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--pid-file", paramLabel = "FILE", required = true,
            description = "The --pid-file the server was started with.")
    Path pidFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            err.println("server status: cannot read a pid from --pid-file " + pidFile + ": " + e.getMessage());
            return ServerCommand.EXIT_CANNOT_START;
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            err.println("server status: no server runs with pid " + pid + " (a stale --pid-file " + pidFile + ")");
            return ServerCommand.EXIT_CANNOT_START;
        }
        Path file = Scoreboard.defaultPath(pid);
        try (Scoreboard board = Scoreboard.open(file, false)) {
            print(out, pid, file, board.snapshot(), Instant.now());
            printPool(out, board.readPool(), Instant.now());
            return 0;
        } catch (IOException e) {
            err.println("server status: cannot read the scoreboard of manager pid " + pid + ": " + e.getMessage());
            return ServerCommand.EXIT_CANNOT_START;
        }
    }

    static void print(PrintWriter out, long managerPid, Path file, List<WorkerStatus> rows, Instant now) {
        out.printf("Starling manager pid %d (scoreboard %s)%n%n", managerPid, file);
        out.printf("%-5s %-8s %-4s %-9s %10s %9s %12s %9s  %s%n",
                "SLOT", "PID", "GEN", "STATE", "REQUESTS", "IN-FLIGHT", "BYTES-OUT", "HEARTBEAT", "OLDEST REQUEST");
        for (WorkerStatus w : rows) {
            String request = w.requestStart().map(start -> seconds(Duration.between(start, now)) + " " + w.requestLine()).orElse("");
            out.printf("%-5d %-8d %-4d %-9s %10d %9d %12d %9s  %s%n", w.slot(), w.pid(), w.generation(),
                    w.state().name().toLowerCase(Locale.ROOT), w.requests(), w.inFlight(), w.bytesOut(),
                    seconds(Duration.between(w.heartbeat(), now)), request);
        }
        out.printf("%nTotal: %d  Busy: %d  Idle: %d  Draining: %d  Starting: %d  Requests: %d%n", rows.size(),
                count(rows, WorkerStatus.State.BUSY), count(rows, WorkerStatus.State.IDLE),
                count(rows, WorkerStatus.State.DRAINING), count(rows, WorkerStatus.State.STARTING),
                rows.stream().mapToLong(WorkerStatus::requests).sum());
    }

    /** The manager's own state: the generation serving, a reload in progress, slots waiting out a back-off. */
    static void printPool(PrintWriter out, Scoreboard.PoolStatus pool, Instant now) {
        out.printf("Generation: %d%s%n", pool.generation(),
                pool.reloading() == 0 ? "" : "  (reloading to generation " + pool.reloading() + ")");
        for (Scoreboard.SlotBackoff b : pool.backoffs()) {
            out.printf("Slot %d: restarting in %s after %d failures in a row (back-off)%n", b.slot(),
                    seconds(Duration.between(now, Instant.ofEpochMilli(b.restartAtMillis()))), b.failures());
        }
    }

    private static long count(List<WorkerStatus> rows, WorkerStatus.State state) {
        return rows.stream().filter(w -> w.state() == state).count();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", Math.max(0, d.toMillis()) / 1000.0);
    }
}
