package dev.starling.worker;

import java.io.IOException;

/**
 * A stream transport ("how bytes arrive"), found with {@link java.util.ServiceLoader} by its
 * {@link #name()}. Built in: {@code tcp} (IP endpoints), {@code tls} (TLS over TCP) and {@code unix} (UNIX path and
 * abstract endpoints); datagram transports are {@link DatagramWorker}s. Providers are
 * {@code public final} classes with a trivial no-arg constructor; the real work starts in
 * {@link #bind}, which gets either a socket its manager passed ({@link WorkerConfig#mode()}
 * {@code INHERITED}: on fd 0, or {@link WorkerConfig#handedOver()}) or binds its own.
 */
public interface Worker {

    /** The name users select this transport by, e.g. {@code "tcp"}; stable once released. */
    String name();

    /**
     * Binds inside the calling worker process; called once, before the first accept.
     *
     * @throws java.net.BindException when the address is in use or not local
     * @throws IllegalArgumentException when the endpoint is of a kind this transport does not serve
     * @throws IOException when the listener cannot be opened for another reason
     */
    Listener bind(WorkerConfig config) throws IOException;

    /**
     * Checks, in the manager before any worker process starts, what {@link #bind} will need
     * besides the socket (key material, files), so that a configuration that cannot work fails
     * once with one clear line instead of in every worker. Binds nothing. The default checks
     * nothing.
     *
     * @throws IllegalArgumentException with a message for the operator naming the flag or file at fault
     */
    default void check(WorkerConfig config) {
    }
}
