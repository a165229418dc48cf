package dev.starling.worker.internal;

import dev.starling.process.Connection;
import dev.starling.worker.Listener;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening stream socket (TCP, or UNIX for the {@code unix} transport), in non-blocking mode for good, waited on with a selector.
 *
 * <p>Why not the socket adaptor's timed accept: it flips the socket to non-blocking and back
 * for every call, and with a socket shared by several worker processes (inherited on fd 0) that
 * flag is shared too, so another worker could be left in a native blocking accept that ignores
 * its deadline. Never flipping the flag keeps every worker's deadline honest. Several workers
 * waiting on one socket all wake for a connection and one wins; the others find nothing and
 * wait again.
 */
final class TcpListener extends SelectingListener<ServerSocketChannel> implements Listener {

    private static final AtomicLong IDS = new AtomicLong();

    private final boolean tcp;

    TcpListener(ServerSocketChannel channel) throws IOException {
        this(channel, channel.getLocalAddress(), "tcp");
    }

    /**
     * @param localAddress what the channel listens on (a channel adopted from a descriptor does
     *                     not know it)
     * @param kind         the transport's name for log lines: {@code tcp}, {@code unix}
     */
    TcpListener(ServerSocketChannel channel, SocketAddress localAddress, String kind) throws IOException {
        super(channel, SelectionKey.OP_ACCEPT, localAddress, kind);
        this.tcp = channel.getLocalAddress() instanceof java.net.InetSocketAddress;
    }

    @Override
    public Connection accept(Duration timeout) throws IOException {
        SocketChannel accepted = SelectorWait.until(selector, timeout, channel::accept);
        return accepted == null ? null : wrap(accepted, tcp);
    }

    private static Connection wrap(SocketChannel accepted, boolean tcp) throws IOException {
        // Accepted channels start in blocking mode: each is served by its own virtual thread.
        // Responses go out in one gathering write; Nagle would only delay the next one.
        if (tcp) {
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return new TcpConnection(IDS.incrementAndGet(), accepted);
    }
}
