package dev.starling.process;

import java.io.IOException;

/**
 * Serves one stream connection (TCP, TLS, UNIX) from its first byte to its end.
 * Returned by {@link Process#prepare}.
 */
@FunctionalInterface
public interface StreamService {

    /**
     * Serves {@code connection} until either side ends it. Called on the connection's own
     * virtual thread, so blocking reads and writes are expected; many calls run at once.
     * The caller closes the connection after this method returns or throws, so an
     * implementation need not.
     *
     * @throws IOException when the connection fails; the worker logs it at DEBUG level with
     *         the connection id and keeps serving other connections
     */
    void serve(Connection connection) throws IOException;
}
