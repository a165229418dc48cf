package dev.starling.worker.supervisor;

/**
 * The adaptive pool, as Apache prefork's MinSpareServers/MaxSpareServers: every second the
 * manager counts idle workers (accepting, no request in flight) and adds one worker when fewer
 * than {@code minSpare} are idle, or removes one (gracefully) when more than {@code maxSpare}
 * are, always within [1, {@code maxWorkers}].
 *
 * @param minSpare   idle workers wanted at least, 0..maxSpare
 * @param maxSpare   idle workers tolerated at most
 * @param maxWorkers the pool never grows beyond this
 */
public record Spares(int minSpare, int maxSpare, int maxWorkers) {

    public Spares {
        if (minSpare < 0 || maxSpare < minSpare) {
            throw new IllegalArgumentException("spare workers must satisfy 0 <= min <= max, were min " + minSpare + " and max " + maxSpare);
        }
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("max workers must be at least 1, was " + maxWorkers);
        }
    }
}
