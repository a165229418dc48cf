package dev.starling.worker.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces read timeouts for every TCP connection of this process from one daemon thread.
 *
 * <p>Why not the socket's own timeout: a timed blocking read on a virtual thread schedules and
 * cancels a timer task for every read, which the profile of a worker under wrk showed near the
 * top. Here a read only stores its deadline; this thread looks at all of them every
 * {@link #TICK} and ends the reads that are late by shutting their input, which the
 * connection then reports as a timeout. Deadlines fire up to one tick late.
 */
final class ReadDeadlines {

    static final Duration TICK = Duration.ofMillis(50);

    private static final ReadDeadlines INSTANCE = new ReadDeadlines();

    private final Set<TcpConnection> watched = ConcurrentHashMap.newKeySet();

    private ReadDeadlines() {
        Thread.ofPlatform().daemon().name("read deadlines").start(this::run);
    }

    static ReadDeadlines get() {
        return INSTANCE;
    }

    void watch(TcpConnection connection) {
        watched.add(connection);
    }

    void unwatch(TcpConnection connection) {
        watched.remove(connection);
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = System.nanoTime();
            for (TcpConnection c : watched) {
                c.expireIfLate(now);
            }
        }
    }
}
