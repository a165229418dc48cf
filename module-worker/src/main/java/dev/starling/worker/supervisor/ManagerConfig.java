package dev.starling.worker.supervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Manager} runs its workers.
 *
 * @param workers         how many worker processes to keep alive at start, at least 1
 *                        (SIGTTIN and SIGTTOU change it later)
 * @param command         the command line that starts one worker process (a JVM running a
 *                        worker entry point that uses {@link ManagerLink})
 * @param gracefulTimeout how long a stop waits for workers to finish their requests before it kills them
 * @param readyTimeout    how long a new worker may take to report that it accepts
 * @param workerTimeout   a ready worker whose scoreboard heartbeat is older than this is hung (a
 *                        stuck event loop, every carrier pinned, a GC spiral, SIGSTOP): it is
 *                        asked for a thread dump, killed and replaced ({@code --worker-timeout})
 * @param spawnInterval   at most one worker start per interval ({@code --spawn-interval});
 *                        zero for no limit. A reload then replaces workers one at a time at this pace.
 * @param spares          the adaptive pool's bounds, or empty for a fixed pool (changed only by TTIN/TTOU)
 * @param pidFile         where to write the manager's pid, removed on exit
 * @param description     what the workers serve, for log lines, e.g. {@code "http1 on 127.0.0.1:8080"}
 * @param shared          the listening sockets handed to every worker on its standard input when
 *                        it serves several ({@link SharedListeners}); empty when it inherits
 *                        one socket on fd 0 or binds its own
 */
public record ManagerConfig(int workers, List<String> command, Duration gracefulTimeout, Duration readyTimeout,
                            Duration workerTimeout, Duration spawnInterval, Optional<Spares> spares, Optional<Path> pidFile,
                            String description, Optional<SharedListeners> shared) {

    public ManagerConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the worker command is empty");
        }
        if (gracefulTimeout.isNegative()) {
            throw new IllegalArgumentException("graceful timeout must not be negative, was " + gracefulTimeout);
        }
        if (!readyTimeout.isPositive()) {
            throw new IllegalArgumentException("ready timeout must be positive, was " + readyTimeout);
        }
        if (!workerTimeout.isPositive()) {
            throw new IllegalArgumentException("worker timeout must be positive, was " + workerTimeout);
        }
        if (spawnInterval.isNegative()) {
            throw new IllegalArgumentException("spawn interval must not be negative, was " + spawnInterval);
        }
        Objects.requireNonNull(spares, "spares");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(shared, "shared");
    }

    /** A configuration whose workers inherit one socket on fd 0 or bind their own. */
    public ManagerConfig(int workers, List<String> command, Duration gracefulTimeout, Duration readyTimeout,
                         Duration workerTimeout, Duration spawnInterval, Optional<Spares> spares, Optional<Path> pidFile,
                         String description) {
        this(workers, command, gracefulTimeout, readyTimeout, workerTimeout, spawnInterval, spares, pidFile, description,
                Optional.empty());
    }
}
