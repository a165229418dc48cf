package dev.starling.worker;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a {@link Worker} or {@link DatagramWorker} binds.
 *
 * @param endpoint   where to listen; an {@link Endpoint.Inet} port 0 picks a free one
 *                   ({@link ListenMode#REUSEPORT} only)
 * @param backlog    the kernel's accept queue length for a socket this worker binds
 * @param mode       whether the worker binds a socket of its own or serves one its manager
 *                   passed it
 * @param handedOver with {@link ListenMode#INHERITED}: the descriptor of the listening socket
 *                   the manager handed this worker among several (see
 *                   {@code SharedListeners}), owned by the worker from now on; empty when the
 *                   one socket is on fd 0. Always empty with {@link ListenMode#REUSEPORT}.
 * @param settings   the server's settings by flag name without dashes (e.g. {@code tls-cert}); a
 *                   transport reads the ones it understands and ignores the others
 */
public record WorkerConfig(Endpoint endpoint, int backlog, ListenMode mode, OptionalInt handedOver,
                           Map<String, String> settings) {

    /** The accept queue length used when none is configured, as nginx's default on Linux. */
    public static final int DEFAULT_BACKLOG = 511;

    /** How a worker process comes by its listening socket. */
    public enum ListenMode {
        /**
         * The manager binds the socket and every worker inherits it: on file descriptor 0 when
         * there is one listener, handed over with the others when there are several. The socket
         * outlives any one worker, so a worker that stops (reload, recycle, scale-down, crash)
         * loses no connection the kernel already queued: the others accept it.
         */
        INHERITED,
        /**
         * Each worker binds its own socket, with {@code SO_REUSEPORT} for IP endpoints; the
         * kernel spreads connections evenly across workers, but the connections queued at a
         * socket that closes are reset (unless {@code net.ipv4.tcp_migrate_req=1}). For a UNIX
         * endpoint, which cannot be shared that way, it means a worker started by hand (or a
         * test) that binds the socket alone.
         */
        REUSEPORT
    }

    public WorkerConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(handedOver, "handedOver");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        if (handedOver.isPresent() && mode != ListenMode.INHERITED) {
            throw new IllegalArgumentException("a handed-over socket is inherited, not bound with " + mode);
        }
        settings = Map.copyOf(settings);
    }

    /** A configuration with no settings. */
    public WorkerConfig(Endpoint endpoint, int backlog, ListenMode mode, OptionalInt handedOver) {
        this(endpoint, backlog, mode, handedOver, Map.of());
    }

    /** An IP endpoint, dual-stack for {@code [::]}, with nothing handed over. */
    public WorkerConfig(InetSocketAddress address, int backlog, ListenMode mode) {
        this(new Endpoint.Inet(address, false), backlog, mode, OptionalInt.empty(), Map.of());
    }

    /**
     * The IP address and port of an {@link Endpoint.Inet} endpoint.
     *
     * @throws IllegalStateException for a UNIX endpoint
     */
    public InetSocketAddress address() {
        if (endpoint instanceof Endpoint.Inet inet) {
            return inet.address();
        }
        throw new IllegalStateException(endpoint + " is not an IP endpoint");
    }

    /** The setting named {@code name} (a flag name without its dashes), if it was given. */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }
}
