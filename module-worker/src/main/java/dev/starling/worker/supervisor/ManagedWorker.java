package dev.starling.worker.supervisor;

/** A worker process as the policy knows it. */
final class ManagedWorker {
    final long id;
    final int slot;
    final int generation;
    final long spawnedAt;
    long pid;
    boolean ready;
    long readyAt;
    /** Asked to stop or to die: it has left its slot. */
    boolean stopping;
    /** When to SIGKILL it if it is still alive (the policy's clock), or 0. */
    long killAt;

    ManagedWorker(long id, int slot, int generation, long spawnedAt) {
        this.id = id;
        this.slot = slot;
        this.generation = generation;
        this.spawnedAt = spawnedAt;
    }

    @Override
    public String toString() {
        return "worker pid " + pid + " (slot " + slot + ", generation " + generation + ")";
    }
}
