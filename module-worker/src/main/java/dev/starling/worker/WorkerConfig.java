package dev.starling.worker;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a {@link Worker} binds.
 *
 * @param address   the local address and port; port 0 picks a free one
 * @param backlog   the kernel's accept queue length for this listener
 * @param reusePort whether to set {@code SO_REUSEPORT}, so that every worker process binds
 *                  the same port and the kernel spreads connections across them
 */
public record WorkerConfig(InetSocketAddress address, int backlog, boolean reusePort) {

    /** The accept queue length used when none is configured, as nginx's default on Linux. */
    public static final int DEFAULT_BACKLOG = 511;

    public WorkerConfig {
        Objects.requireNonNull(address, "address");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
    }
}
