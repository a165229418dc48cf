package dev.starling.worker.internal;

import dev.starling.process.Connection;
import dev.starling.worker.Listener;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A listening TCP socket; accepts through the channel's socket adaptor, the JDK's only accept with a timeout. */
final class TcpListener implements Listener {

    private static final AtomicLong IDS = new AtomicLong();

    private final ServerSocketChannel channel;
    private final ServerSocket socket;
    private final SocketAddress localAddress;
    private int currentTimeoutMillis = -1;

    TcpListener(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.localAddress = channel.getLocalAddress();
    }

    @Override
    public Connection accept(Duration timeout) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (millis != currentTimeoutMillis) {
            socket.setSoTimeout(millis);
            currentTimeoutMillis = millis;
        }
        Socket accepted;
        try {
            accepted = socket.accept();
        } catch (SocketTimeoutException deadline) {
            return null;
        }
        SocketChannel sc = accepted.getChannel();
        // Responses go out in one gathering write; Nagle would only delay the next one.
        sc.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new TcpConnection(IDS.incrementAndGet(), sc);
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "tcp " + localAddress;
    }
}
