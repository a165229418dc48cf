package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What a worker does when an accept fails for want of a resource (the process's descriptor
 * limit, the system's, or kernel memory), as nginx does: it keeps the connections it has,
 * stops taking new ones for a moment (they wait in the kernel's queue, where another worker
 * may take them), and tries again once a connection of its own closed, or after at most
 * {@link #LONGEST}. Leaving would drop every connection it holds; retrying at once would spin,
 * since the listening socket stays readable. Failures are logged at most once per
 * {@link #LOG_EVERY}, with their count. Thread-safe: shared by a group's accept loops.
 */
final class AcceptPause {

    /** The longest pause after a failed accept when no connection closes meanwhile. */
    static final Duration LONGEST = Duration.ofMillis(500);

    private static final long LOG_EVERY = Duration.ofSeconds(1).toNanos();

    private final long pid = ProcessHandle.current().pid();
    private final IntSupplier openConnections;
    private final Object lock = new Object();
    private volatile int waiting;
    private long closes; // under lock
    private long unlogged; // under lock
    private long loggedAtNanos; // under lock

    /** @param openConnections how many connections the group serves, for the log line */
    AcceptPause(IntSupplier openConnections) {
        this.openConnections = openConnections;
    }

    /**
     * Whether {@code e}, thrown by an accept, says a resource ran out, so that a later accept may
     * succeed: EMFILE, ENFILE, ENOBUFS or ENOMEM, which the JDK reports by their C library message.
     */
    static boolean outOfResources(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Too many open files") || m.contains("No buffer space available")
                || m.contains("Cannot allocate memory"));
    }

    /** A connection of the group closed, freeing its descriptor: paused accept loops try again. */
    void connectionClosed() {
        if (waiting > 0) {
            synchronized (lock) {
                closes++;
                lock.notifyAll();
            }
        }
    }

    /**
     * Logs {@code failure} (or counts it for the next log line) and waits until a connection
     * closes or {@link #LONGEST} passes; on the accept loop's thread.
     *
     * @param listener the listener whose accept failed, for the log line
     * @throws InterruptedIOException when the thread is interrupted while it waits
     */
    void pause(Object listener, IOException failure) throws InterruptedIOException {
        synchronized (lock) {
            unlogged++;
            long now = System.nanoTime();
            if (loggedAtNanos == 0 || now - loggedAtNanos >= LOG_EVERY) {
                long count = unlogged;
                int open = openConnections.getAsInt();
                WorkerGroup.LOG.log(WARNING, () -> "worker pid " + pid + ": accept on " + listener + " failed: "
                        + failure.getMessage() + (count > 1 ? " (" + count + " times since the last such line)" : "")
                        + "; serving the " + open + " open connection(s) and accepting again when one closes (at most "
                        + LONGEST.toMillis() + " ms from now)");
                unlogged = 0;
                loggedAtNanos = now;
            }
            waiting++;
            try {
                long seen = closes;
                long deadline = now + LONGEST.toNanos();
                long left;
                while (closes == seen && (left = deadline - System.nanoTime()) > 0) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while accepts are paused");
            } finally {
                waiting--;
            }
        }
    }
}
