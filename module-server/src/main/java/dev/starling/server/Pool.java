package dev.starling.server;

import dev.starling.worker.supervisor.Spares;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How many workers run, how long each one lives, and how long one exchange may stall in it.
 *
 * @param workers             worker processes at start, 1..{@link ServerConfig#MAX_WORKERS}
 * @param workerConnections   the most connections one worker serves at once ({@code --worker-connections});
 *                            1 gives the classic one-connection-per-process prefork
 * @param maxRequestsPerChild a worker asks to be replaced after a random count of requests in
 *                            [{@code minRequestsPerChild}, {@code maxRequestsPerChild}]; 0 = never
 * @param minRequestsPerChild the lower end of that range, at most {@code maxRequestsPerChild}
 * @param spawnInterval       at most one worker start per interval; a reload then replaces
 *                            workers one at a time (slow restart); zero = no limit
 * @param requestTimeout      an exchange that reads and sends nothing for this long is ended inside its
 *                            worker: its thread interrupted, its connection closed ({@code --request-timeout});
 *                            the worker goes on serving the others
 * @param sendTimeout         a write that sends nothing for this long closes its connection: the
 *                            client stopped reading ({@code --send-timeout})
 * @param spares              the adaptive pool's bounds, or empty for a fixed pool of {@code workers}
 * @param workerTimeout       a worker whose scoreboard heartbeat is older is hung: thread dump, kill, replacement
 */
public record Pool(int workers, int workerConnections, long maxRequestsPerChild, long minRequestsPerChild,
                   Duration spawnInterval, Duration requestTimeout, Duration sendTimeout, Optional<Spares> spares,
                   Duration workerTimeout) {

    /** How long a worker may go without a heartbeat before it counts as hung, as gunicorn's {@code --timeout}. */
    public static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofSeconds(30);

    /** How long one exchange may go without progress, as Starman's default request timeout. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(300);

    /** How long one write may send nothing, as nginx's {@code send_timeout}. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);

    /** Connections one worker serves at once unless told otherwise. */
    public static final int DEFAULT_WORKER_CONNECTIONS = 10_000;

    public Pool {
        if (workers < 1 || workers > ServerConfig.MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be between 1 and " + ServerConfig.MAX_WORKERS + ", was " + workers);
        }
        if (workerConnections < 1) {
            throw new IllegalArgumentException("worker connections must be at least 1, was " + workerConnections);
        }
        if (maxRequestsPerChild < 0 || minRequestsPerChild < 0 || minRequestsPerChild > maxRequestsPerChild) {
            throw new IllegalArgumentException("requests per child must satisfy 0 <= min <= max, were min "
                    + minRequestsPerChild + " and max " + maxRequestsPerChild);
        }
        if (spawnInterval.isNegative()) {
            throw new IllegalArgumentException("spawn interval must not be negative, was " + spawnInterval);
        }
        Objects.requireNonNull(spares, "spares");
        if (spares.isPresent() && spares.get().maxWorkers() < workers) {
            throw new IllegalArgumentException("max workers (" + spares.get().maxWorkers() + ") must be at least the "
                    + workers + " workers started");
        }
        if (!requestTimeout.isPositive()) {
            throw new IllegalArgumentException("request timeout must be positive, was " + requestTimeout);
        }
        if (!sendTimeout.isPositive()) {
            throw new IllegalArgumentException("send timeout must be positive, was " + sendTimeout);
        }
        if (!workerTimeout.isPositive()) {
            throw new IllegalArgumentException("worker timeout must be positive, was " + workerTimeout);
        }
    }

    /** A fixed pool of {@code workers} that never recycles. */
    public static Pool fixed(int workers) {
        return new Pool(workers, DEFAULT_WORKER_CONNECTIONS, 0, 0, Duration.ZERO, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SEND_TIMEOUT,
                Optional.empty(), DEFAULT_WORKER_TIMEOUT);
    }

    /** The number of requests one worker serves before asking for a replacement, drawn from the range; 0 = never. */
    public long drawRequestLimit(java.util.random.RandomGenerator random) {
        if (maxRequestsPerChild == 0) {
            return 0;
        }
        return minRequestsPerChild == maxRequestsPerChild ? maxRequestsPerChild
                : random.nextLong(minRequestsPerChild, maxRequestsPerChild + 1);
    }
}
