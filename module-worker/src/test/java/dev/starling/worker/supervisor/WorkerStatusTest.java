package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the manager counts a worker as hung, and what it says about it. */
class WorkerStatusTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static WorkerStatus status(Instant heartbeat, Optional<Instant> requestStart, String requestLine) {
        return new WorkerStatus(42, 0, 1, WorkerStatus.State.BUSY, 7, 1, 100, heartbeat, requestStart, requestLine);
    }

    @Test
    void aWorkerInsideOneRequestLongerThanTheLimitIsHungAndTheRequestLineSaysWhere() {
        WorkerStatus s = status(NOW, Optional.of(NOW.minusSeconds(31)), "GET /slow HTTP/1.1");
        assertEquals(Optional.of("has been inside one request for 31 s (GET /slow HTTP/1.1)"), s.hungReason(NOW, LIMIT));
    }

    @Test
    void aWorkerSilentLongerThanTheLimitIsHung() {
        WorkerStatus s = status(NOW.minusSeconds(45), Optional.empty(), "");
        assertEquals(Optional.of("has not updated the scoreboard for 45 s"), s.hungReason(NOW, LIMIT));
    }

    @Test
    void aBusyWorkerWithinTheLimitIsNotHung() {
        WorkerStatus s = status(NOW.minusSeconds(1), Optional.of(NOW.minusSeconds(30)), "GET / HTTP/1.1");
        assertEquals(Optional.empty(), s.hungReason(NOW, LIMIT));
    }
}
