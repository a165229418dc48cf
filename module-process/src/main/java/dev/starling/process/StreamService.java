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

    /**
     * Whether this service does most of its work on the transport's event loop, through
     * {@link Connection#read(java.nio.ByteBuffer, Connection.EventLoopReader)}, rather than on
     * connection threads. A transport may then run its event loop on a platform thread that
     * waits in the kernel itself, as Netty's does, which costs less per event than a virtual
     * thread that must be woken for every wait but wakes connection threads more dearly. A
     * hint: either answer is correct. The default is {@code false}.
     */
    default boolean servesOnEventLoop() {
        return false;
    }
}
