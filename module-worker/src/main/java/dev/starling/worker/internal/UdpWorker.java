package dev.starling.worker.internal;

import dev.starling.worker.DatagramListener;
import dev.starling.worker.DatagramWorker;
import dev.starling.worker.Endpoint;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

/**
 * The {@code udp} transport: each worker binds its own UDP socket with {@code SO_REUSEPORT},
 * and the kernel spreads datagrams across them by the sender's address. Nothing is shared with
 * the manager: a datagram is a whole request, so a worker's socket that closes strands no
 * half-served work (datagrams still in its receive buffer are lost, as UDP allows).
 */
public final class UdpWorker implements DatagramWorker {

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public DatagramListener bind(WorkerConfig config) throws IOException {
        if (!(config.endpoint() instanceof Endpoint.Inet inet)) {
            throw new IllegalArgumentException("the udp transport listens on IP addresses, not on " + config.endpoint());
        }
        if (config.mode() != WorkerConfig.ListenMode.REUSEPORT) {
            throw new IllegalArgumentException("the udp transport binds a socket per worker (REUSEPORT), not " + config.mode());
        }
        if (inet.v6OnlyApplies()) {
            // The JDK cannot set IPV6_V6ONLY: bind natively, then adopt the socket as a JDK channel.
            int fd = NativeSockets.bindDatagram(inet, true);
            SocketAddress local = NativeSockets.localInetAddress(fd);
            return new UdpListener(ChannelAdoption.datagram(fd, inet), local);
        }
        DatagramChannel channel = DatagramChannel.open(inet.address().getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.bind(inet.address());
            return new UdpListener(channel, channel.getLocalAddress());
        } catch (IOException | RuntimeException e) {
            SelectorWait.closeAfterFailure(channel, e);
            throw e;
        }
    }
}
