package dev.starling.worker.internal;

import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/** The {@code tcp} transport: a listening TCP socket per worker process. */
public final class TcpWorker implements Worker {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Listener bind(WorkerConfig config) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.reusePort()) {
                // Each worker binds its own socket: with SO_REUSEPORT the kernel spreads
                // connections across workers instead of waking all of them on each accept.
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(config.address(), config.backlog());
            return new TcpListener(channel);
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
