package dev.starling.worker;

/**
 * One place in the manager's pool: the worker serving it, and the successor starting to take
 * it over (after a reload, or because the worker asked to retire). Owned by the manager's thread.
 */
final class Slot {

    final int index;
    /** The worker serving this slot, or null while it is being restarted. */
    WorkerProcess active;
    /** A worker starting up to replace {@link #active}; it takes over once it accepts. */
    WorkerProcess successor;
    /** The active worker asked for a replacement (it served its share of requests). */
    boolean retireRequested;
    /** When to start a worker for an empty slot; a slot that keeps dying waits a second between starts. */
    long restartDueNanos;
    long lastSpawnNanos;

    Slot(int index, long now) {
        this.index = index;
        this.restartDueNanos = now;
        this.lastSpawnNanos = now - Manager.MIN_RESTART_INTERVAL.toNanos();
    }

    /** Whether the active worker should be replaced: it asked to, or it predates {@code targetGeneration}. */
    boolean wantsSuccessor(int targetGeneration) {
        return active != null && (retireRequested || active.generation < targetGeneration);
    }

    /** The earliest time a start for this slot respects the crash-loop limit. */
    long earliestStart() {
        return lastSpawnNanos + Manager.MIN_RESTART_INTERVAL.toNanos();
    }
}
