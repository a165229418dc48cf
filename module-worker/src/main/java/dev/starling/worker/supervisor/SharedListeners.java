package dev.starling.worker.supervisor;

import dev.starling.worker.Endpoint;
import dev.starling.worker.internal.DescriptorPassing;
import dev.starling.worker.internal.NativeSockets;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The manager's side of several listeners shared by every worker: the manager binds each
 * listening socket once and hands copies of all of them to every worker it starts (see
 * {@link #receive} for the worker's side). UNIX sockets need this (a path or abstract name can
 * be bound by one socket only), and IP listeners get from it what {@link SharedSocket} gives a
 * single one: connections the kernel queued belong to the socket, not to a worker, so reloads
 * and restarts lose none.
 *
 * <p>The one-TCP-listener default does not come here: {@link SharedSocket} puts that socket on
 * fd 0 and workers take it with {@link System#inheritedChannel()}, with no native call at all.
 *
 * <p>Not thread-safe: the manager binds, starts workers and closes from its one thread.
 */
public final class SharedListeners implements Closeable {

    private final List<Endpoint> endpoints;
    private final int[] descriptors;
    private boolean closed;

    private SharedListeners(List<Endpoint> endpoints, int[] descriptors) {
        this.endpoints = List.copyOf(endpoints);
        this.descriptors = descriptors;
    }

    /**
     * Binds a listening socket at each endpoint, in order (no SO_REUSEPORT, so an address that
     * any other process holds is refused). A stale UNIX socket file is replaced; one a live
     * server listens on is refused.
     *
     * @throws java.net.BindException naming the endpoint that is in use or not local; the
     *         sockets bound before it are closed
     */
    public static SharedListeners bind(List<Endpoint> endpoints, int backlog) throws IOException {
        if (endpoints.isEmpty() || endpoints.size() > DescriptorPassing.MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("shared listeners must number between 1 and "
                    + DescriptorPassing.MAX_DESCRIPTORS + ", were " + endpoints.size());
        }
        List<Endpoint> bound = new ArrayList<>();
        int[] fds = new int[endpoints.size()];
        try {
            for (Endpoint endpoint : endpoints) {
                int fd = NativeSockets.listen(endpoint, backlog, false);
                fds[bound.size()] = fd;
                bound.add(endpoint instanceof Endpoint.Inet inet
                        ? new Endpoint.Inet(NativeSockets.localInetAddress(fd), inet.ipv6Only()) : endpoint);
            }
        } catch (IOException | RuntimeException e) {
            try {
                new SharedListeners(bound, fds).close();
            } catch (IOException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
        return new SharedListeners(bound, fds);
    }

    /** The endpoints, in order, IP ones with the port the kernel chose for port 0. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Starts a worker with copies of every socket waiting on its standard input. */
    java.lang.Process start(ProcessBuilder builder) throws IOException {
        return DescriptorPassing.start(builder, descriptors.clone());
    }

    /**
     * The worker's side: the descriptors its manager handed over, in the order of
     * {@link #endpoints()}; call once, first thing, in a worker started by a manager that has
     * {@code count} shared listeners. Each becomes a listener through
     * {@link WorkerConfig#handedOver()}.
     *
     * @throws IOException when standard input carries no such message (the process was not
     *         started by such a manager, or the manager died)
     */
    public static int[] receive(int count) throws IOException {
        return DescriptorPassing.receive(count);
    }

    /** Closes the manager's sockets and removes the UNIX socket files it created; the second call does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return; // the descriptor numbers may belong to other files by now
        }
        closed = true;
        IOException failure = null;
        for (int i = 0; i < endpoints.size(); i++) {
            try {
                NativeSockets.close(descriptors[i]);
                if (endpoints.get(i) instanceof Endpoint.UnixPath unix) {
                    Files.deleteIfExists(unix.path());
                }
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
