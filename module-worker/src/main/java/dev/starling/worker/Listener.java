package dev.starling.worker;

import dev.starling.process.Connection;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * A bound listening endpoint of one worker process. {@link #accept} is called from one thread
 * at a time (the accept loop of a {@code WorkerGroup}); {@link #close} may be called from any.
 */
public interface Listener extends Closeable {

    /**
     * Waits up to {@code timeout} for the next connection.
     *
     * @param timeout positive; the accept deadline ({@code --timeout-ms}) or a short one while
     *        draining what the kernel already queued
     * @return the connection, owned by the caller from now on; or {@code null} when the
     *         timeout passed with nothing to accept
     * @throws java.nio.channels.ClosedChannelException when the listener was closed
     */
    Connection accept(Duration timeout) throws IOException;

    /** The bound address, with the actual port when port 0 was asked for. */
    SocketAddress localAddress();

    /** Stops listening; connections already accepted stay open. Idempotent. */
    @Override
    void close() throws IOException;
}
