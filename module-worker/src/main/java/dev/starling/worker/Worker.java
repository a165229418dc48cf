package dev.starling.worker;

import java.io.IOException;

/**
 * A transport ("how bytes arrive"), found with {@link java.util.ServiceLoader} by its
 * {@link #name()}. Built in: {@code tcp}. Providers are {@code public final} classes with a
 * trivial no-arg constructor; the real work starts in {@link #bind}.
 */
public interface Worker {

    /** The name users select this transport by, e.g. {@code "tcp"}; stable once released. */
    String name();

    /**
     * Binds inside the calling worker process; called once, before the first accept.
     *
     * @throws java.net.BindException when the address is in use or not local
     * @throws IOException when the listener cannot be opened for another reason
     */
    Listener bind(WorkerConfig config) throws IOException;
}
