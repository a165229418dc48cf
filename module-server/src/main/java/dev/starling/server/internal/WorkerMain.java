package dev.starling.server.internal;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.process.DatagramService;
import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.StreamService;
import dev.starling.server.ListenSpec;
import dev.starling.server.Server;
import dev.starling.server.ServerConfig;
import dev.starling.worker.supervisor.ConnectionTimeouts;
import dev.starling.worker.DatagramListener;
import dev.starling.worker.DatagramWorker;
import dev.starling.worker.Listener;
import dev.starling.worker.supervisor.ManagerLink;
import dev.starling.worker.supervisor.SharedListeners;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import dev.starling.worker.WorkerConfig.ListenMode;
import dev.starling.worker.supervisor.WorkerGroup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The entry point of a worker process: connects to its manager, binds, prepares the protocol,
 * tells the manager it is ready, and serves until drained (SIGTERM) or orphaned (its manager's
 * control connection ended, or its parent changed).
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
        if (link.isPresent()) {
            try {
                link.get().connect();
            } catch (IOException e) {
                System.err.println("starling: worker pid " + pid + " cannot start: " + e.getMessage());
                System.exit(EXIT_CONFIG);
                return;
            }
            // Whatever the listeners are doing (a steady stream of connections never lets an
            // accept deadline pass), a worker without a manager must not go on serving.
            link.get().onManagerGone(() -> {
                LOG.log(WARNING, () -> "worker pid " + pid + ": manager pid " + link.get().managerPid()
                        + " is gone (its control connection ended); exiting");
                System.exit(0);
            });
        }
        WorkerGroup group;
        try {
            group = start(ServerConfig.fromArguments(Arrays.asList(args)), link);
        } catch (IllegalArgumentException | IllegalStateException | IOException | PluginException
                 | java.util.ServiceConfigurationError e) {
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

    private static WorkerGroup start(ServerConfig config, Optional<ManagerLink> link) throws IOException, PluginException {
        ModuleLayer layer = Services.layer(config);
        if (layer != ModuleLayer.boot()) {
            LOG.log(INFO, () -> "worker pid " + ProcessHandle.current().pid() + ": plugins from " + config.plugins().orElseThrow()
                    + ": " + PluginLayer.describe(layer));
        }
        ProcessContext context = new WorkerContext(config.settings(), layer, Server.NAME + "/" + Server.version());
        // A plugin may bring a protocol or a transport too: both are looked up in the plugin layer and its parents.
        Process process = Services.process(config, layer);
        StreamService service = process.prepare(context);
        ListenerPlan plan = new ListenerPlan(config.listeners(), config.reusePort());
        int[] handedOver = plan.handOff() ? SharedListeners.receive(plan.sharedListeners().size()) : new int[0];
        List<Listener> listeners = new ArrayList<>();
        List<DatagramListener> datagramListeners = new ArrayList<>();
        int next = 0;
        for (ListenSpec spec : plan.listeners()) {
            if (spec.datagram()) {
                DatagramWorker transport = Services.datagramTransport(spec.transport(), layer);
                datagramListeners.add(transport.bind(new WorkerConfig(spec.endpoint(), WorkerConfig.DEFAULT_BACKLOG,
                        ListenMode.REUSEPORT, OptionalInt.empty(), config.settings())));
                continue;
            }
            Worker transport = Services.transport(spec.transport(), layer);
            boolean shared = plan.shared(spec);
            OptionalInt fd = shared && plan.handOff() ? OptionalInt.of(handedOver[next++]) : OptionalInt.empty();
            listeners.add(transport.bind(new WorkerConfig(spec.endpoint(), WorkerConfig.DEFAULT_BACKLOG,
                    shared ? ListenMode.INHERITED : ListenMode.REUSEPORT, fd, config.settings())));
        }
        WorkerGroup.Datagrams datagrams = datagramListeners.isEmpty() ? WorkerGroup.Datagrams.NONE
                : new WorkerGroup.Datagrams(datagramListeners, datagramService(process, context));
        // Each worker draws its own request budget, so recycled workers do not all leave at once.
        long requestLimit = config.pool().drawRequestLimit(ThreadLocalRandom.current());
        return new WorkerGroup(listeners, service, config.acceptTimeout(), config.gracefulTimeout(),
                () -> link.map(l -> l.managerAlive() || parentUnknown()).orElse(true), config.pool().workerConnections(),
                requestLimit, () -> link.ifPresent(ManagerLink::retire), datagrams,
                new ConnectionTimeouts(config.pool().requestTimeout(), config.pool().sendTimeout()));
    }

    /**
     * Whether this process cannot tell its parent: the JDK reads it from /proc, which fails
     * while the process is out of descriptors. That is not a dead manager (an orphan has a
     * parent, init or a subreaper), and a worker that left for it would drop every connection.
     */
    private static boolean parentUnknown() {
        return ProcessHandle.current().parent().isEmpty();
    }

    /**
     * The datagram side of {@code process}.
     *
     * @throws IllegalArgumentException naming the protocol and the flags, when it has none
     */
    public static DatagramService datagramService(Process process, ProcessContext context) {
        return process.prepareDatagrams(context).orElseThrow(() -> new IllegalArgumentException(
                "protocol '" + process.name() + "' serves streams only, so it cannot serve " + ListenSpec.DATAGRAM_TRANSPORT
                        + ":// listeners; use a protocol that serves datagrams, such as echo (--process, --listen)"));
    }

    /** What a protocol learns about this worker (or, for {@link Process#check}, about the server). */
    public record WorkerContext(java.util.Map<String, String> settings, ModuleLayer layer, String serverName) implements ProcessContext {
        @Override
        public Optional<String> setting(String name) {
            return Optional.ofNullable(settings.get(name));
        }
    }
}
