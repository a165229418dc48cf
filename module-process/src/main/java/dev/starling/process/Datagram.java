package dev.starling.process;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One datagram received by a datagram transport ({@code udp}), with the way to answer it.
 * Owned by the {@link DatagramService} call it is handed to; it is not valid after that call
 * returns.
 */
public interface Datagram {

    /** A number unique within this worker process, for log lines. */
    long id();

    /** The bytes received, from position 0 to the limit; the service may read or reuse this buffer. */
    ByteBuffer payload();

    /** Who sent it: where {@link #reply} sends to. */
    SocketAddress sender();

    /** The local address it arrived at. */
    SocketAddress localAddress();

    /**
     * Sends the remaining bytes of {@code answer} to {@link #sender()} as one datagram, from the
     * address the datagram arrived at. Like every datagram, the answer may be lost on the way.
     *
     * @return false when the kernel's send buffer was full and the answer was dropped
     * @throws IOException when the answer cannot be sent (for example, larger than a datagram may be)
     */
    boolean reply(ByteBuffer answer) throws IOException;
}
