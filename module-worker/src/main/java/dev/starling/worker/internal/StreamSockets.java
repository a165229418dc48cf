package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;

/**
 * How a stream transport comes by its listening channel, for every {@link WorkerConfig}: the
 * socket on fd 0, one the manager handed over, or one it binds itself. Shared by the stream
 * transports ({@code tcp}, {@code unix}, and any that wraps them).
 */
public final class StreamSockets {

    private StreamSockets() {
    }

    /**
     * A bound listening channel and the address it listens on (an adopted channel cannot tell
     * its own).
     */
    public record Bound(ServerSocketChannel channel, SocketAddress localAddress) {
    }

    /** The listening channel {@code config} describes, bound or inherited. */
    public static Bound open(WorkerConfig config) throws IOException {
        Endpoint endpoint = config.endpoint();
        if (config.handedOver().isPresent()) {
            return new Bound(ChannelAdoption.listening(config.handedOver().getAsInt(), endpoint), addressOf(endpoint));
        }
        if (config.mode() == WorkerConfig.ListenMode.INHERITED) {
            if (!(endpoint instanceof Endpoint.Inet)) {
                throw new IOException(endpoint + " must be handed over by the manager; start workers through the manager");
            }
            ServerSocketChannel inherited = inherited(config);
            return new Bound(inherited, inherited.getLocalAddress());
        }
        if (endpoint instanceof Endpoint.Inet inet && !inet.v6OnlyApplies()) {
            ServerSocketChannel own = bindOwn(config);
            return new Bound(own, own.getLocalAddress());
        }
        // IPV6_V6ONLY, abstract names: what the JDK cannot bind, bound natively, then adopted.
        int fd = NativeSockets.listen(endpoint, config.backlog(), endpoint instanceof Endpoint.Inet);
        SocketAddress local = endpoint instanceof Endpoint.Inet ? NativeSockets.localInetAddress(fd) : addressOf(endpoint);
        return new Bound(ChannelAdoption.listening(fd, endpoint), local);
    }

    /** The JDK's (or our) address for an endpoint, for log lines and {@code Listener.localAddress()}. */
    static SocketAddress addressOf(Endpoint endpoint) {
        return switch (endpoint) {
            case Endpoint.Inet inet -> inet.address();
            case Endpoint.UnixPath unix -> UnixDomainSocketAddress.of(unix.path());
            case Endpoint.UnixAbstract name -> new AbstractUnixAddress(name.name());
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
            SelectorWait.closeAfterFailure(channel, e); // the bind failure is what the operator needs to see
            throw e;
        }
    }
}
