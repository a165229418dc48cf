package dev.starling.worker.supervisor;

import dev.starling.worker.internal.Native;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The manager's side of {@link WorkerConfig.ListenMode#INHERITED}: one listening socket,
 * bound by the manager, placed on its file descriptor 0 so that every worker started with
 * {@code ProcessBuilder.Redirect.INHERIT} for standard input receives it and finds it as
 * {@link System#inheritedChannel()}.
 *
 * <p>The manager never accepts on it; it only keeps it open, so connections the kernel queued
 * survive any worker's exit. Measured here: workers stopped under load lost no connection this
 * way, where per-worker SO_REUSEPORT sockets reset every connection queued at the one closing.
 */
public final class SharedSocket {

    private SharedSocket() {
    }

    /**
     * Binds {@code address} (without SO_REUSEPORT, so that a port held by any other process is
     * refused) and moves the socket onto this process's standard input.
     *
     * @return the bound channel; keep it open for as long as workers may start
     * @throws java.net.BindException when the address is in use or not local
     */
    public static ServerSocketChannel bindOnStandardInput(InetSocketAddress address, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address, backlog);
            // Workers wait with a selector on a non-blocking socket (see the tcp transport);
            // the flag belongs to the socket that all of them share, so set it once, here.
            channel.configureBlocking(false);
            Native.dup2(Native.descriptorOf(channel), 0);
            return channel;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
    }

    /**
     * Closes the manager's copies of a socket from {@link #bindOnStandardInput}: the channel and
     * fd 0, which then reads /dev/null. Once the workers close theirs, the port refuses new
     * connections instead of queueing them for no one. Idempotent; call only when no worker
     * will be started any more (they inherit fd 0).
     */
    public static void close(ServerSocketChannel channel) throws IOException {
        channel.close();
        Native.nullStandardInput();
    }
}
