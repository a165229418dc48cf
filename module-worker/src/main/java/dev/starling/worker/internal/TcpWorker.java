package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;

/**
 * The {@code tcp} transport: a listening TCP socket (IPv4 or IPv6), inherited from the manager
 * or bound per worker.
 */
public final class TcpWorker implements Worker {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Listener bind(WorkerConfig config) throws IOException {
        if (!(config.endpoint() instanceof Endpoint.Inet)) {
            throw new IllegalArgumentException("the tcp transport listens on IP addresses, not on " + config.endpoint());
        }
        StreamSockets.Bound bound = StreamSockets.open(config);
        return new TcpListener(bound.channel(), bound.localAddress(), "tcp");
    }
}
