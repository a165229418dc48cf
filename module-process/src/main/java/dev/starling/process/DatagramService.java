package dev.starling.process;

import java.io.IOException;

/**
 * Serves datagrams: each one is a whole request, with no connection around it. Returned by
 * {@link Process#prepareDatagrams}. The stream counterpart is {@link StreamService}.
 */
@FunctionalInterface
public interface DatagramService {

    /**
     * Serves one datagram, answering it with {@link Datagram#reply} if the protocol answers.
     * Called on a virtual thread of its own, so blocking is allowed; many calls run at once, in
     * no particular order (datagrams themselves come in no guaranteed order).
     *
     * @throws IOException when answering fails; the worker logs it at DEBUG level with the
     *         datagram id and keeps serving
     */
    void serve(Datagram datagram) throws IOException;
}
