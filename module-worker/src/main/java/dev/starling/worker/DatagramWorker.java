package dev.starling.worker;

import java.io.IOException;

/**
 * A datagram transport, found with {@link java.util.ServiceLoader} by its {@link #name()}, as a
 * {@link Worker} is for streams. Built in: {@code udp}. Each worker process binds its own
 * socket ({@link WorkerConfig.ListenMode#REUSEPORT}): a datagram is a whole request, so no
 * queue of half-served work is lost when one worker's socket closes.
 */
public interface DatagramWorker {

    /** The name users select this transport by, e.g. {@code "udp"}; stable once released. */
    String name();

    /**
     * Binds inside the calling worker process; called once, before the first receive.
     *
     * @throws java.net.BindException when the address is in use without SO_REUSEPORT, or not local
     * @throws IOException when the socket cannot be opened for another reason
     */
    DatagramListener bind(WorkerConfig config) throws IOException;
}
