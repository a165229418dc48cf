package dev.starling.server.internal;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.Providers;
import dev.starling.process.StreamService;
import dev.starling.server.Server;
import dev.starling.server.ServerConfig;
import dev.starling.worker.Listener;
import dev.starling.worker.ManagerLink;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import dev.starling.worker.WorkerConfig.ListenMode;
import dev.starling.worker.WorkerGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The entry point of a worker process: binds, prepares the protocol, tells the manager it is
 * ready, and serves until drained (SIGTERM) or orphaned.
 */
public final class WorkerMain {

    /** Exit status of a worker that cannot start as configured (sysexits' EX_CONFIG); the manager does not retry it on first start. */
    static final int EXIT_CONFIG = 78;

    private static final System.Logger LOG = System.getLogger(WorkerMain.class.getName());

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        long pid = ProcessHandle.current().pid();
        Optional<ManagerLink> link = ManagerLink.fromEnvironment();
        WorkerGroup group;
        try {
            group = start(ServerConfig.fromArguments(Arrays.asList(args)), link);
        } catch (IllegalArgumentException | IllegalStateException | IOException | java.util.ServiceConfigurationError e) {
            System.err.println("starling: worker pid " + pid + " cannot start: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        ManagerLink.installWorkerSignals(group::drain);
        if (link.isPresent()) {
            try {
                link.get().startHeartbeat(group);
            } catch (IOException e) {
                System.err.println("starling: worker pid " + pid + " cannot open its scoreboard: " + e.getMessage());
                System.exit(EXIT_CONFIG);
            }
            link.get().ready();
        }
        boolean graceful = group.run();
        if (graceful) {
            LOG.log(INFO, () -> "worker pid " + pid + ": drained; exiting");
        } else {
            LOG.log(WARNING, () -> "worker pid " + pid + ": manager pid " + link.map(ManagerLink::managerPid).orElse(0L)
                    + " is gone; exiting");
        }
        System.exit(0);
    }

    private static WorkerGroup start(ServerConfig config, Optional<ManagerLink> link) throws IOException {
        ProcessContext context = new WorkerContext(config.settings(), ModuleLayer.boot(), Server.NAME + "/" + Server.version());
        Process process = Providers.byName(ServiceLoader.load(Process.class), Process::name, "protocol", config.process());
        StreamService service = process.prepare(context);
        Worker transport = Providers.byName(ServiceLoader.load(Worker.class), Worker::name, "transport", config.transport());
        Listener listener = transport.bind(new WorkerConfig(new InetSocketAddress(config.host(), config.port()),
                WorkerConfig.DEFAULT_BACKLOG, config.reusePort() ? ListenMode.REUSEPORT : ListenMode.INHERITED, config.settings()));
        // Each worker draws its own request budget, so recycled workers do not all leave at once.
        long requestLimit = config.pool().drawRequestLimit(ThreadLocalRandom.current());
        return new WorkerGroup(List.of(listener), service, config.acceptTimeout(), config.gracefulTimeout(),
                () -> link.map(ManagerLink::managerAlive).orElse(true), config.pool().workerConnections(),
                requestLimit, () -> link.ifPresent(ManagerLink::retire));
    }

    /** What a protocol learns about this worker. */
    record WorkerContext(java.util.Map<String, String> settings, ModuleLayer layer, String serverName) implements ProcessContext {
        @Override
        public Optional<String> setting(String name) {
            return Optional.ofNullable(settings.get(name));
        }
    }
}
