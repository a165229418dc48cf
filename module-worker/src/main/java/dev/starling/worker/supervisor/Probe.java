package dev.starling.worker.supervisor;

import java.time.Duration;
import java.util.Optional;

/** Reads the scoreboard for the {@link Supervisor}; a fake one in tests. */
@FunctionalInterface
interface Probe {

    /** What the worker with this id last published, or empty when its row shows nothing (yet). */
    Optional<Observation> observe(long worker);

    /**
     * What the scoreboard shows of a worker.
     *
     * @param idle           accepting, with no request in flight
     * @param sinceHeartbeat how long ago the worker last published
     * @param inFlight       requests in flight
     * @param oldestRequest  the oldest one's request line, or empty
     */
    record Observation(boolean idle, Duration sinceHeartbeat, long inFlight, String oldestRequest) {
    }
}
