package dev.starling.worker.supervisor;

/** One place in the pool: the worker serving it and the successor starting to take it over. */
final class Slot {
    final int index;
    ManagedWorker active;
    ManagedWorker successor;
    /** The active worker asked for a successor (it served its share of requests). */
    boolean retire;
    /** Its workers' failures in a row; reset once one serves for {@link Supervisor#STABLE_AFTER}. */
    int failures;
    /** No worker starts for this slot before then (back-off). */
    long restartAt;

    Slot(int index, long now) {
        this.index = index;
        this.restartAt = now;
    }
}
