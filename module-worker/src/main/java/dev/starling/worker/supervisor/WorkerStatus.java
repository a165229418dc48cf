package dev.starling.worker.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One worker's row of the {@link Scoreboard}, as last published (every half second, and at
 * each change of state).
 *
 * @param pid          the worker's pid
 * @param slot         its place in the manager's pool
 * @param generation   its generation (1 at start, one more per reload)
 * @param state        what it is doing
 * @param requests     requests (exchanges) served so far
 * @param inFlight     requests in flight right now
 * @param bytesOut     bytes written to clients so far
 * @param heartbeat    when the worker last published
 * @param requestStart when the oldest request in flight started, if any
 * @param requestLine  the first line of that request (truncated), or empty
 */
public record WorkerStatus(long pid, int slot, int generation, State state, long requests, long inFlight, long bytesOut,
                           Instant heartbeat, Optional<Instant> requestStart, String requestLine) {

    /** A worker's life, as the scoreboard shows it. */
    public enum State {
        /** Started, not accepting yet. */
        STARTING,
        /** Accepting, no request in flight. */
        IDLE,
        /** At least one request in flight. */
        BUSY,
        /** Told to stop: finishing what it has, accepting nothing new. */
        DRAINING
    }

    public WorkerStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(requestStart, "requestStart");
        Objects.requireNonNull(requestLine, "requestLine");
    }

    /**
     * Why this worker counts as hung at {@code now}: inside one request, or silent (no
     * heartbeat), for longer than {@code limit}; empty while it is not.
     */
    public Optional<String> hungReason(Instant now, Duration limit) {
        if (requestStart.isPresent() && Duration.between(requestStart.get(), now).compareTo(limit) > 0) {
            return Optional.of("has been inside one request for " + Duration.between(requestStart.get(), now).toSeconds()
                    + " s (" + (requestLine.isEmpty() ? "no request line" : requestLine) + ")");
        }
        if (Duration.between(heartbeat, now).compareTo(limit) > 0) {
            return Optional.of("has not updated the scoreboard for " + Duration.between(heartbeat, now).toSeconds() + " s");
        }
        return Optional.empty();
    }
}
