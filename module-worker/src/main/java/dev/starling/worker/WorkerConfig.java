package dev.starling.worker;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Worker} binds.
 *
 * @param address the local address and port; port 0 picks a free one ({@link ListenMode#REUSEPORT} only)
 * @param backlog the kernel's accept queue length for a socket this worker binds
 * @param mode    whether the worker binds a socket of its own or serves the one its manager
 *                passed it
 * @param settings the server's settings by flag name without dashes (e.g. {@code tls-cert}); a
 *                transport reads the ones it understands and ignores the others
 */
public record WorkerConfig(InetSocketAddress address, int backlog, ListenMode mode, Map<String, String> settings) {

    /** The accept queue length used when none is configured, as nginx's default on Linux. */
    public static final int DEFAULT_BACKLOG = 511;

    /** How a worker process comes by its listening socket. */
    public enum ListenMode {
        /**
         * The manager binds one socket and every worker inherits it on file descriptor 0. The
         * socket outlives any one worker, so a worker that stops (reload, recycle, scale-down,
         * crash) loses no connection the kernel already queued: the others accept it.
         */
        INHERITED,
        /**
         * Each worker binds its own socket with {@code SO_REUSEPORT}; the kernel spreads
         * connections evenly across workers, but the connections queued at a socket that
         * closes are reset (unless {@code net.ipv4.tcp_migrate_req=1}).
         */
        REUSEPORT
    }

    public WorkerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mode, "mode");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        settings = Map.copyOf(settings);
    }

    /** A configuration with no settings. */
    public WorkerConfig(InetSocketAddress address, int backlog, ListenMode mode) {
        this(address, backlog, mode, Map.of());
    }

    /** The setting named {@code name} (a flag name without its dashes), if it was given. */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }
}
