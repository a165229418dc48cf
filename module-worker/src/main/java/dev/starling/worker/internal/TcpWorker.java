package dev.starling.worker.internal;

import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;

/** The {@code tcp} transport: a listening TCP socket, inherited from the manager or bound per worker. */
public final class TcpWorker implements Worker {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Listener bind(WorkerConfig config) throws IOException {
        return switch (config.mode()) {
            case INHERITED -> new TcpListener(inherited(config));
            case REUSEPORT -> new TcpListener(bindOwn(config));
        };
    }

    /** The listening socket the manager put on fd 0, checked to be the one configured. */
    private static ServerSocketChannel inherited(WorkerConfig config) throws IOException {
        Channel channel = System.inheritedChannel();
        if (!(channel instanceof ServerSocketChannel server)) {
            throw new IOException("no listening socket was inherited on standard input (found "
                    + (channel == null ? "none" : channel.getClass().getSimpleName()) + "); start workers through the manager");
        }
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        if (local.getPort() != config.address().getPort()) {
            throw new IOException("the inherited socket listens on " + local + ", not on " + config.address());
        }
        return server;
    }

    private static ServerSocketChannel bindOwn(WorkerConfig config) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Each worker binds its own socket: with SO_REUSEPORT the kernel spreads
            // connections across workers instead of waking all of them on each accept.
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.bind(config.address(), config.backlog());
            return channel;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closeFailed) {
                e.addSuppressed(closeFailed); // the bind failure is what the operator needs to see
            }
            throw e;
        }
    }
}
