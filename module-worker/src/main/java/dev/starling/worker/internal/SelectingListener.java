package dev.starling.worker.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;

/**
 * What the stream and datagram listeners share: a bound channel put in non-blocking mode for
 * good and waited on with a selector of its own ({@link SelectorWait}; {@link TcpListener} says
 * why the blocking flag never flips), the address it is bound to, and a name for log lines.
 *
 * @param <C> the channel: a {@code ServerSocketChannel} or a {@code DatagramChannel}
 */
abstract class SelectingListener<C extends AbstractSelectableChannel> {

    final C channel;
    final Selector selector;
    private final SocketAddress localAddress;
    private final String kind;

    /**
     * @param ops          the operation the selector waits for, e.g. {@code SelectionKey.OP_ACCEPT}
     * @param localAddress what the channel is bound to (a channel adopted from a descriptor does
     *                     not know it)
     * @param kind         the transport's name for log lines: {@code tcp}, {@code unix}, {@code udp}
     */
    SelectingListener(C channel, int ops, SocketAddress localAddress, String kind) throws IOException {
        this.channel = channel;
        this.localAddress = localAddress;
        this.kind = kind;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, ops);
    }

    public SocketAddress localAddress() {
        return localAddress;
    }

    /** Closes the selector, then the channel, even when the first close fails. */
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return kind + " " + localAddress;
    }
}
