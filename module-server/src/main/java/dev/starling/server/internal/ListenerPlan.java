package dev.starling.server.internal;

import dev.starling.server.ListenSpec;
import dev.starling.worker.Endpoint;
import java.util.List;

/**
 * Which listeners the manager binds and shares, and how workers receive them; computed the
 * same way by the manager and by every worker from the same configuration.
 *
 * <ul>
 *   <li>Datagram listeners ({@code udp}) are bound by each worker, with SO_REUSEPORT.</li>
 *   <li>IP stream listeners are bound by each worker with {@code --reuseport}, else shared.</li>
 *   <li>UNIX listeners are always shared: a path or abstract name takes one socket only.</li>
 * </ul>
 * One shared IP listener (the default {@code --host/--port} case) travels on fd 0 and workers
 * take it with {@link System#inheritedChannel()}: no native call on that path. Otherwise all
 * shared listeners are handed over on fd 0 in one {@code SCM_RIGHTS} message.
 *
 * @param listeners every listener, in order
 * @param reusePort {@code --reuseport}
 */
public record ListenerPlan(List<ListenSpec> listeners, boolean reusePort) {

    public ListenerPlan {
        listeners = List.copyOf(listeners);
    }

    /** Whether the manager binds {@code spec} and every worker serves that one socket. */
    public boolean shared(ListenSpec spec) {
        return !spec.datagram() && (!(spec.endpoint() instanceof Endpoint.Inet) || !reusePort);
    }

    /** The shared listeners, in order. */
    public List<ListenSpec> sharedListeners() {
        return listeners.stream().filter(this::shared).toList();
    }

    /** Whether the one shared listener goes on fd 0 as is, the JDK-only path. */
    public boolean onStandardInput() {
        List<ListenSpec> shared = sharedListeners();
        return shared.size() == 1 && shared.get(0).endpoint() instanceof Endpoint.Inet inet && !inet.v6OnlyApplies();
    }

    /** Whether the shared listeners are handed over in one message on fd 0. */
    public boolean handOff() {
        return !sharedListeners().isEmpty() && !onStandardInput();
    }
}
