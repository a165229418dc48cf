package dev.starling.process;

import java.util.Optional;

/**
 * A protocol ("what the bytes mean"), found with {@link java.util.ServiceLoader} by its
 * {@link #name()}. Built in: {@code http1} and {@code echo}; plugins add more with
 * {@code provides dev.starling.process.Process with ...;}.
 *
 * <p>Providers are {@code public final} classes with a trivial no-arg constructor: the
 * framework may instantiate every provider just to read its name, so real work starts in
 * {@link #prepare}. Note that this type shadows {@link java.lang.Process}.
 *
 * <p>Stream and datagram protocols: every protocol serves streams (TCP, TLS, UNIX
 * connections) through {@link #prepare}. A protocol that also has a meaning over datagrams
 * (UDP) offers a {@link DatagramService} through {@link #prepareDatagrams}; the default
 * offers none, and a server asked to listen for datagrams with such a protocol refuses to
 * start, naming it.
 */
public interface Process {

    /** The name users select this protocol by, e.g. {@code "http1"}; stable once released. */
    String name();

    /**
     * Prepares to serve in the calling worker process: reads settings, finds plugins (for
     * example HTTP handlers) in {@link ProcessContext#layer()}. Called once per worker
     * process, on its main thread, before the first connection is accepted.
     *
     * @return the service that serves each accepted connection; it is shared by all
     *         connections of this worker and called concurrently, one virtual thread per connection
     * @throws IllegalArgumentException when the settings are invalid or a named plugin is
     *         missing; the message is shown to the operator, so it names the setting and the
     *         alternatives. The worker process then exits without serving.
     */
    StreamService prepare(ProcessContext context);

    /**
     * The datagram side of this protocol, if it has one. Called once per worker process that
     * listens for datagrams, on its main thread, after {@link #prepare}; the manager also calls
     * it once before it starts any worker, to refuse a configuration whose protocol serves no
     * datagrams, so it must only read settings and build the service, not bind or start threads.
     *
     * @return the service that serves each datagram, shared by all datagram listeners of the
     *         worker and called concurrently; empty (the default) when this protocol is
     *         stream-only
     * @throws IllegalArgumentException as for {@link #prepare}
     */
    default Optional<DatagramService> prepareDatagrams(ProcessContext context) {
        return Optional.empty();
    }

    /**
     * Checks the settings and finds the plugins as {@link #prepare} would, without preparing to
     * serve. The manager calls it once, on its main thread, before it starts any worker, so
     * that a mistake stops the start with one message instead of failing in every worker. It
     * must not bind, start threads or keep what it found. The default checks nothing, leaving
     * every mistake to {@link #prepare}.
     *
     * @throws IllegalArgumentException as {@link #prepare} does
     * @throws IllegalStateException    when several plugins claim a name that is asked for
     * @throws java.util.ServiceConfigurationError when a plugin cannot be instantiated
     */
    default void check(ProcessContext context) {
    }
}
