package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The one thread of a {@link WorkerGroup} that looks at it from outside its connections, on
 * a clock rather than on traffic: every accept deadline it asks whether the process should go
 * on (is the manager there?) and abandons the group if not, however busy the accept loops
 * are; it applies the request and send timeouts to each connection; and while the group
 * drains, it ends the connections that stay quiet. A platform thread, so that virtual threads
 * busy with requests cannot starve it.
 */
final class GroupWatch implements Runnable {

    /** How often a draining group looks for quiet connections. */
    private static final long QUIET_CHECK = Duration.ofMillis(100).toNanos();

    /** How long a timed-out exchange may take to end before its connection is closed from here. */
    static final Duration TIMED_OUT_GRACE = Duration.ofSeconds(1);

    /** The longest and shortest time between two timeout checks. */
    private static final long LONGEST_TICK = Duration.ofSeconds(1).toNanos();
    private static final long SHORTEST_TICK = Duration.ofMillis(10).toNanos();

    private final WorkerGroup group;
    private final long acceptNanos;
    private final BooleanSupplier keepServing;
    private final long requestNanos;
    private final long sendNanos;
    private final long tickNanos;
    private final long pid = ProcessHandle.current().pid();

    /** @param timeouts the group's; a zero timeout is off */
    GroupWatch(WorkerGroup group, Duration acceptTimeout, BooleanSupplier keepServing, ConnectionTimeouts timeouts) {
        this.group = group;
        this.acceptNanos = acceptTimeout.toNanos();
        this.keepServing = keepServing;
        this.requestNanos = timeouts.request().toNanos();
        this.sendNanos = timeouts.send().toNanos();
        long shortest = Math.min(requestNanos == 0 ? Long.MAX_VALUE : requestNanos, sendNanos == 0 ? Long.MAX_VALUE : sendNanos);
        // A timeout fires at most a quarter late (a second for long ones).
        this.tickNanos = Math.max(SHORTEST_TICK, Math.min(LONGEST_TICK, shortest / 4));
    }

    private boolean timed() {
        return requestNanos > 0 || sendNanos > 0;
    }

    /** Watches until the group's {@link WorkerGroup#run()} ends; {@link LockSupport#unpark} makes it look at once. */
    @Override
    public void run() {
        long now = System.nanoTime();
        long nextOrphanCheck = now + acceptNanos;
        long nextTimeoutCheck = now + tickNanos;
        long nextQuietCheck = now;
        while (!group.finished()) {
            now = System.nanoTime();
            if (now - nextOrphanCheck >= 0) {
                nextOrphanCheck = now + acceptNanos;
                if (!group.abandoned() && !keepServing.getAsBoolean()) {
                    group.abandon();
                }
            }
            if (timed() && now - nextTimeoutCheck >= 0) {
                nextTimeoutCheck = now + tickNanos;
                checkTimeouts(now);
            }
            boolean draining = group.isDraining();
            if (draining && now - nextQuietCheck >= 0) {
                nextQuietCheck = now + QUIET_CHECK;
                for (TrackedConnection c : group.connections()) {
                    c.endIfQuiet(now, WorkerGroup.QUIET_GRACE.toNanos());
                }
            } else if (!draining) {
                nextQuietCheck = now; // the first look comes as soon as a drain starts
            }
            long wait = nextOrphanCheck - now;
            if (timed()) {
                wait = Math.min(wait, nextTimeoutCheck - now);
            }
            if (draining) {
                wait = Math.min(wait, nextQuietCheck - now);
            }
            LockSupport.parkNanos(this, Math.max(1, wait));
        }
    }

    private void checkTimeouts(long now) {
        for (TrackedConnection c : group.connections()) {
            switch (c.timeoutCheck(now, requestNanos, sendNanos, TIMED_OUT_GRACE.toNanos())) {
                case NONE -> {
                }
                case REQUEST -> {
                    group.countRequestTimeout();
                    WorkerGroup.LOG.log(WARNING, () -> "worker pid " + pid + ": " + c + ": " + c.describeCurrentExchange()
                            + " made no progress for " + seconds(requestNanos) + " (--request-timeout); ending that exchange"
                            + " (its thread is interrupted and its connection closed; the worker goes on)");
                }
                case SEND -> {
                    group.countSendTimeout();
                    WorkerGroup.LOG.log(INFO, () -> "worker pid " + pid + ": " + c + ": a write sent nothing for "
                            + seconds(sendNanos) + " (--send-timeout) in " + c.describeCurrentExchange()
                            + "; the client stopped reading: connection closed");
                }
                case REQUEST_IGNORED -> WorkerGroup.LOG.log(WARNING, () -> "worker pid " + pid + ": " + c + ": "
                        + c.describeCurrentExchange() + " went on " + TIMED_OUT_GRACE.toMillis()
                        + " ms after its request timeout (its code ignores interrupts): connection closed");
            }
        }
    }

    private static String seconds(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + " s" : nanos / 1_000_000 + " ms";
    }
}
