package dev.starling.server;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.worker.supervisor.Scoreboard;
import dev.starling.worker.supervisor.WorkerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a crashed earlier run may have left: a pid file naming a manager that is gone (or one
 * that still runs), scoreboards of dead managers whose workers still hold them, and their
 * control sockets.
 */
final class PreviousRuns {

    private static final System.Logger LOG = System.getLogger(PreviousRuns.class.getName());

    private PreviousRuns() {
    }

    /**
     * Refuses to start a second server on the same pid file; removes a stale one.
     *
     * @throws StartupException when the pid file names a live Starling manager
     */
    static void checkPidFile(Optional<Path> pidFile) throws StartupException {
        if (pidFile.isEmpty() || !Files.exists(pidFile.get())) {
            return;
        }
        Path file = pidFile.get();
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            throw new StartupException("--pid-file " + file + " exists but holds no pid (" + e.getMessage() + "); remove it");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isPresent() && process.get().info().commandLine().orElse("").contains("dev.starling.cli")) {
            throw new StartupException("a server is already running with pid " + pid + " (--pid-file " + file
                    + "); stop it first or choose another --pid-file");
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StartupException("cannot remove the stale --pid-file " + file + ": " + e.getMessage());
        }
        LOG.log(INFO, () -> "removed the stale --pid-file " + file + " of manager pid " + pid + ", which is gone");
    }

    /**
     * Kills workers still holding the scoreboard of a manager that died (they exit by themselves
     * when its control connection ends, unless they hang), and removes such scoreboards and the
     * control sockets of such managers.
     */
    static void sweepScoreboards(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.matches("starling-\\d+\\.scoreboard")) {
                    sweep(file);
                } else if (name.matches("starling-\\d+\\.control") && !alive(managerPid(name, ".control"))) {
                    deleteLeftover(file);
                }
            }
        } catch (IOException e) {
            LOG.log(WARNING, () -> "cannot look for scoreboards of earlier runs in " + dir + ": " + e);
        }
    }

    private static void sweep(Path file) {
        long managerPid = managerPid(file.getFileName().toString(), ".scoreboard");
        if (alive(managerPid)) {
            return; // a running server's
        }
        try (Scoreboard board = Scoreboard.open(file, false)) {
            List<ProcessHandle> leftovers = board.snapshot().stream()
                    .map(WorkerStatus::pid)
                    .map(ProcessHandle::of)
                    .flatMap(Optional::stream)
                    .filter(h -> h.isAlive() && h.info().commandLine().orElse("").contains("dev.starling.server.internal.WorkerMain"))
                    .toList();
            leftovers.forEach(ProcessHandle::destroyForcibly);
            if (!leftovers.isEmpty()) {
                LOG.log(WARNING, () -> "killed " + leftovers.size() + " worker(s) of a previous run (manager pid " + managerPid
                        + ", gone) that still held " + file + ": pids "
                        + leftovers.stream().map(h -> String.valueOf(h.pid())).collect(Collectors.joining(", ")));
            }
        } catch (java.nio.file.NoSuchFileException sweptMeanwhile) {
            // Another manager starting at the same time swept it first.
            return;
        } catch (IOException e) {
            LOG.log(WARNING, () -> "cannot read " + file + " of a previous run: " + e + "; removing it");
        }
        deleteLeftover(file);
    }

    /** The pid in {@code starling-PID.SUFFIX}. */
    private static long managerPid(String name, String suffix) {
        return Long.parseLong(name.substring("starling-".length(), name.length() - suffix.length()));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void deleteLeftover(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(WARNING, () -> "cannot remove " + file + " of a previous run: " + e);
        }
    }
}
