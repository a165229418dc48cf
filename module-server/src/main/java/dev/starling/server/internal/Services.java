package dev.starling.server.internal;

import dev.starling.process.Process;
import dev.starling.process.Providers;
import dev.starling.server.ServerConfig;
import dev.starling.worker.DatagramWorker;
import dev.starling.worker.Worker;
import java.util.ServiceLoader;

/**
 * Finds the providers a server runs with: in the plugins folder's layer when there is one (a
 * plugin may bring a protocol or a transport as well as handlers), and in the boot layer.
 */
public final class Services {

    private Services() {
    }

    /** The layer providers are found in: the plugins folder's, on top of the boot layer, or the boot layer alone. */
    public static ModuleLayer layer(ServerConfig config) throws PluginException {
        return config.plugins().isEmpty() ? ModuleLayer.boot() : PluginLayer.load(config.plugins().get(), ModuleLayer.boot());
    }

    /**
     * The protocol {@code config} names, found in {@code layer} and its parents.
     *
     * @throws IllegalArgumentException when none has the name; the message lists the available ones
     * @throws IllegalStateException when several claim it
     * @throws java.util.ServiceConfigurationError when a provider cannot be instantiated
     */
    public static Process process(ServerConfig config, ModuleLayer layer) {
        return Providers.byName(ServiceLoader.load(layer, Process.class), Process::name, "protocol", config.process());
    }

    /** The stream transport named {@code name}, found in {@code layer} and its parents; fails as {@link #process} does. */
    public static Worker transport(String name, ModuleLayer layer) {
        return Providers.byName(ServiceLoader.load(layer, Worker.class), Worker::name, "transport", name);
    }

    /** The datagram transport named {@code name}, found in {@code layer} and its parents; fails as {@link #process} does. */
    public static DatagramWorker datagramTransport(String name, ModuleLayer layer) {
        return Providers.byName(ServiceLoader.load(layer, DatagramWorker.class), DatagramWorker::name, "transport", name);
    }
}
