package dev.starling.worker;

import dev.starling.process.Datagram;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * A bound datagram socket of one worker process. {@link #receive} is called from one thread at
 * a time (the receive loop of a {@code WorkerGroup}); {@link #close} may be called from any.
 */
public interface DatagramListener extends Closeable {

    /**
     * Waits up to {@code timeout} for the next datagram.
     *
     * @param timeout positive; the accept deadline ({@code --timeout-ms})
     * @return the datagram, with its own copy of the bytes, owned by the caller; or {@code null}
     *         when the timeout passed with nothing received
     * @throws java.nio.channels.ClosedChannelException when the listener was closed
     */
    Datagram receive(Duration timeout) throws IOException;

    /** The bound address, with the actual port when port 0 was asked for. */
    SocketAddress localAddress();

    /** Stops receiving. Idempotent. */
    @Override
    void close() throws IOException;
}
