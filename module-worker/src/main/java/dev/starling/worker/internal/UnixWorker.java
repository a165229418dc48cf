package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;

/**
 * The {@code unix} transport: a UNIX domain stream socket at a path or an abstract name. The
 * manager binds it (a path or name takes one socket only) and hands it to every worker; a
 * worker started with {@link WorkerConfig.ListenMode#REUSEPORT} binds it alone. Connections
 * are the JDK's own UNIX channels, so reads and writes cost what they cost over TCP.
 */
public final class UnixWorker implements Worker {

    @Override
    public String name() {
        return "unix";
    }

    @Override
    public Listener bind(WorkerConfig config) throws IOException {
        if (config.endpoint() instanceof Endpoint.Inet) {
            throw new IllegalArgumentException("the unix transport listens on UNIX socket paths or abstract names, not on "
                    + config.endpoint());
        }
        StreamSockets.Bound bound = StreamSockets.open(config);
        return new TcpListener(bound.channel(), bound.localAddress(), "unix");
    }
}
