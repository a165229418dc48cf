package dev.starling.server;

import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.Providers;
import dev.starling.server.internal.ListenerPlan;
import dev.starling.server.internal.PluginException;
import dev.starling.server.internal.Services;
import dev.starling.server.internal.WorkerMain;
import dev.starling.worker.DatagramWorker;
import dev.starling.worker.Endpoint;
import dev.starling.worker.supervisor.Manager;
import dev.starling.worker.supervisor.ManagerConfig;
import dev.starling.worker.supervisor.Scoreboard;
import dev.starling.worker.supervisor.SharedListeners;
import dev.starling.worker.supervisor.SharedSocket;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Starts a manager and its workers for a {@link ServerConfig}; the entry point the CLI calls. */
public final class Server {

    /** The product name shown in {@code Server} headers, pages and logs. */
    public static final String NAME = "Starling";

    /** Extra JVM options for worker processes, split on whitespace; e.g. {@code -Xmx256m}. */
    public static final String WORKER_OPTS_ENV = "STARLING_WORKER_OPTS";

    /** How long a new worker may take to accept before the start counts as failed. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private Server() {
    }

    /** The version of this build, e.g. {@code 0.1.0-SNAPSHOT}, or {@code dev} when run from classes. */
    public static String version() {
        return Optional.ofNullable(Server.class.getPackage().getImplementationVersion())
                .or(() -> Server.class.getModule().getDescriptor() == null ? Optional.empty()
                        : Server.class.getModule().getDescriptor().rawVersion())
                .orElse("dev");
    }

    /** The names of the protocols found, for help texts. */
    public static String processNames() {
        return Providers.names(ServiceLoader.load(Process.class).stream().map(ServiceLoader.Provider::get).toList(), Process::name);
    }

    /** The names of the transports found, for help texts. */
    public static String transportNames() {
        return Providers.names(ServiceLoader.load(Worker.class).stream().map(ServiceLoader.Provider::get).toList(), Worker::name);
    }

    /** The names of the datagram transports found, for help texts. */
    public static String datagramTransportNames() {
        return Providers.names(ServiceLoader.load(DatagramWorker.class).stream().map(ServiceLoader.Provider::get).toList(),
                DatagramWorker::name);
    }

    /**
     * Checks the configuration, then runs the manager until it is stopped by a signal.
     *
     * @return the manager's exit status
     * @throws StartupException when the configuration cannot run here; nothing was started
     */
    public static int run(ServerConfig config) throws StartupException, IOException, InterruptedException {
        ModuleLayer layer;
        try {
            layer = Services.layer(config);
        } catch (PluginException e) {
            throw new StartupException(e.getMessage() + " (--plugins)", e);
        }
        Process process;
        try {
            process = Services.process(config, layer);
        } catch (IllegalArgumentException | IllegalStateException | ServiceConfigurationError e) {
            throw new StartupException(e.getMessage() + " (--process)", e);
        }
        List<ListenSpec> listeners;
        try {
            listeners = config.listeners();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        ProcessContext context = new WorkerMain.WorkerContext(config.settings(), layer, NAME + "/" + version());
        try {
            // The workers would fail the same way, each of them: say it once, before any starts.
            process.check(context);
        } catch (IllegalArgumentException | IllegalStateException | ServiceConfigurationError e) {
            throw new StartupException(e.getMessage(), e);
        }
        checkTransports(config, listeners, layer, process, context);
        PreviousRuns.checkPidFile(config.pidFile());
        PreviousRuns.sweepScoreboards(Scoreboard.defaultPath(0).getParent());
        ListenerPlan plan = new ListenerPlan(listeners, config.reusePort());
        if (!config.listen().isEmpty() || !plan.onStandardInput() && !config.reusePort()) {
            return runListeners(config, plan);
        }
        if (config.reusePort()) {
            return runManager(config.withPort(probePort(config)), () -> { });
        }
        // The zero-drop mode: one socket, bound here, inherited by every worker on fd 0.
        ServerSocketChannel shared;
        try {
            shared = SharedSocket.bindOnStandardInput(new InetSocketAddress(resolve(config), config.port()), WorkerConfig.DEFAULT_BACKLOG);
        } catch (BindException e) {
            throw bindFailure(config, e);
        }
        try (shared) {
            return runManager(config.withPort(((InetSocketAddress) shared.getLocalAddress()).getPort()),
                    () -> SharedSocket.close(shared));
        }
    }

    private static int runManager(ServerConfig resolved, java.io.Closeable listeners)
            throws StartupException, IOException, InterruptedException {
        return runManager(resolved, hostPort(resolved), Optional.empty(), listeners);
    }

    /**
     * Runs the manager; {@code listeners} closes the manager's copies of the listening sockets
     * when a stop begins (idempotent: they are closed again when this returns).
     */
    private static int runManager(ServerConfig resolved, String listening, Optional<SharedListeners> shared,
                                  java.io.Closeable listeners) throws StartupException, IOException, InterruptedException {
        String where = resolved.process() + " on " + listening;
        ManagerConfig managerConfig = new ManagerConfig(resolved.pool().workers(), workerCommand(resolved),
                resolved.gracefulTimeout(), READY_TIMEOUT, resolved.pool().workerTimeout(), resolved.pool().spawnInterval(),
                resolved.pool().spares(), resolved.pidFile(), where, shared);
        try {
            return new Manager(managerConfig, listeners).run();
        } catch (Manager.CannotStart e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /**
     * Every transport named exists, and a protocol asked to serve datagrams can: fails before
     * anything starts, naming the flag.
     */
    private static void checkTransports(ServerConfig config, List<ListenSpec> listeners, ModuleLayer layer, Process process,
                                        ProcessContext context) throws StartupException {
        String flag = config.listen().isEmpty() ? "--transport" : "--listen";
        boolean datagrams = false;
        for (ListenSpec spec : listeners) {
            Worker transport = null;
            try {
                if (spec.datagram()) {
                    datagrams = true;
                    Services.datagramTransport(spec.transport(), layer);
                } else {
                    transport = Services.transport(spec.transport(), layer);
                }
            } catch (IllegalArgumentException | IllegalStateException | ServiceConfigurationError e) {
                throw new StartupException(e.getMessage() + " (" + flag + " " + spec + ")");
            }
            try {
                // What every worker will load (TLS keys, say) is checked once, here, before any starts;
                // the transport's message names its own flags and files.
                if (transport != null) {
                    transport.check(new WorkerConfig(spec.endpoint(), WorkerConfig.DEFAULT_BACKLOG,
                            WorkerConfig.ListenMode.INHERITED, OptionalInt.empty(), config.settings()));
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        if (datagrams) {
            try {
                WorkerMain.datagramService(process, context);
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
        }
    }

    /**
     * Several listeners, or one that is not a plain IP socket: the manager binds the shared ones
     * (one on fd 0, or all handed over with {@link SharedListeners}), turns port 0 into a real
     * port for the ones workers bind themselves, then runs the workers.
     */
    private static int runListeners(ServerConfig config, ListenerPlan plan)
            throws StartupException, IOException, InterruptedException {
        List<Endpoint> sharedEndpoints = plan.sharedListeners().stream().map(ListenSpec::endpoint).toList();
        ServerSocketChannel onStandardInput = null;
        SharedListeners handedOver = null;
        String flag = config.listen().isEmpty() ? "--host, --port" : "--listen";
        try {
            List<ListenSpec> resolved = new ArrayList<>();
            try {
                if (plan.onStandardInput()) {
                    onStandardInput = SharedSocket.bindOnStandardInput(((Endpoint.Inet) sharedEndpoints.get(0)).address(),
                            WorkerConfig.DEFAULT_BACKLOG);
                    sharedEndpoints = List.of(new Endpoint.Inet((InetSocketAddress) onStandardInput.getLocalAddress(), false));
                } else if (plan.handOff()) {
                    handedOver = SharedListeners.bind(sharedEndpoints, WorkerConfig.DEFAULT_BACKLOG);
                    sharedEndpoints = handedOver.endpoints();
                }
                int next = 0;
                for (ListenSpec spec : plan.listeners()) {
                    resolved.add(plan.shared(spec) ? new ListenSpec(spec.transport(), sharedEndpoints.get(next++)) : probed(spec));
                }
            } catch (BindException e) {
                // The JDK's own message names no address; ours (SharedListeners, probed) do.
                String reason = String.valueOf(e.getMessage());
                throw new StartupException((reason.equals("Address already in use")
                        ? sharedEndpoints.get(0) + " is already in use by another process" : reason) + " (" + flag + ")", e);
            } catch (IOException e) {
                throw new StartupException("cannot listen: " + e.getMessage() + " (" + flag + ")", e);
            }
            ServerConfig workerConfig = config.listen().isEmpty()
                    ? config.withPort(((Endpoint.Inet) resolved.get(0).endpoint()).address().getPort())
                    : config.withListen(resolved.stream().map(ListenSpec::toString).toList());
            String listening = resolved.stream().map(ListenSpec::toString).collect(java.util.stream.Collectors.joining(", "));
            ServerSocketChannel onFdZero = onStandardInput;
            SharedListeners passed = handedOver;
            return runManager(workerConfig, listening, Optional.ofNullable(handedOver), () -> {
                if (onFdZero != null) {
                    SharedSocket.close(onFdZero);
                }
                if (passed != null) {
                    passed.close();
                }
            });
        } finally {
            if (handedOver != null) {
                handedOver.close();
            }
            if (onStandardInput != null) {
                onStandardInput.close();
            }
        }
    }

    /**
     * A listener each worker binds itself, with port 0 turned into a free port that all of them
     * then bind; like {@link #probePort}, the probe binds without SO_REUSEPORT, so a port that
     * another process holds is refused here, before any worker starts.
     */
    private static ListenSpec probed(ListenSpec spec) throws IOException {
        Endpoint.Inet inet = (Endpoint.Inet) spec.endpoint();
        InetSocketAddress bound;
        try {
            bound = probe(spec.datagram(), inet.address());
        } catch (BindException e) {
            throw new BindException(spec + " is already in use by another process or not local: " + e.getMessage());
        }
        return new ListenSpec(spec.transport(), new Endpoint.Inet(
                new InetSocketAddress(inet.address().getAddress(), bound.getPort()), inet.ipv6Only()));
    }

    private static InetSocketAddress probe(boolean datagram, InetSocketAddress address) throws IOException {
        InetSocketAddress bound;
        if (datagram) {
            try (DatagramChannel probe = DatagramChannel.open()) {
                probe.bind(address);
                bound = (InetSocketAddress) probe.getLocalAddress();
            }
        } else {
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                probe.bind(address, 1);
                bound = (InetSocketAddress) probe.getLocalAddress();
            }
        }
        return bound;
    }

    /**
     * For {@code --reuseport}: binds the address once without SO_REUSEPORT, so that a port held
     * by any other process (even another server that uses SO_REUSEPORT under our user, whose
     * traffic we would otherwise silently share) is refused before any worker starts; also turns
     * port 0 into a concrete port that every worker then binds.
     */
    static int probePort(ServerConfig config) throws StartupException, IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(new InetSocketAddress(resolve(config), config.port()), 1);
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        } catch (BindException e) {
            throw bindFailure(config, e);
        }
    }

    private static InetAddress resolve(ServerConfig config) throws StartupException {
        try {
            return InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new StartupException("--host '" + config.host() + "' is not a known host name or address");
        }
    }

    private static StartupException bindFailure(ServerConfig config, BindException e) {
        String reason = String.valueOf(e.getMessage());
        if (reason.contains("in use")) {
            return new StartupException(hostPort(config) + " is already in use by another process (--host, --port)", e);
        }
        return new StartupException("cannot listen on " + hostPort(config) + ": " + reason + " (--host, --port)", e);
    }

    static String hostPort(ServerConfig config) {
        return (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + config.port();
    }

    /** The AOT cache the build trains beside the distribution's jars (module-cli's aot-cache profile, JDK 25+). */
    public static final String AOT_CACHE_FILE = "worker.aot";

    /**
     * The AOT cache for workers, when there is one that fits: JDK 25 or newer, and a module path
     * that is exactly the distribution folder it was trained on (any other module path would
     * make the JVM reject it with a warning), and no {@code --add-modules} in {@value #WORKER_OPTS_ENV}
     * (e.g. for a plugin that requires a JDK module); {@code STARLING_AOT=off} turns it off.
     */
    static Optional<Path> aotCache(String modulePath) {
        if (Runtime.version().feature() < 25 || "off".equals(System.getenv("STARLING_AOT"))
                || modulePath == null || modulePath.contains(java.io.File.pathSeparator)
                // The cache holds the module graph it was trained with; the JVM rejects it, loudly, for another.
                || String.valueOf(System.getenv(WORKER_OPTS_ENV)).contains("--add-modules")) {
            return Optional.empty();
        }
        Path cache = Path.of(modulePath).resolve(AOT_CACHE_FILE);
        try (var jars = java.nio.file.Files.list(Path.of(modulePath))) {
            java.nio.file.attribute.FileTime trained = java.nio.file.Files.getLastModifiedTime(cache);
            // A jar rebuilt after the training makes the JVM reject the cache, loudly.
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                if (java.nio.file.Files.getLastModifiedTime(jar).compareTo(trained) > 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(cache);
        } catch (IOException noCacheOrNoFolder) {
            return Optional.empty();
        }
    }

    /**
     * Virtual-thread scheduler options for a worker that sees {@code cpus} CPUs. With one CPU (a
     * worker pinned with taskset, a one-CPU container) the JDK would run every connection on a
     * single carrier thread, and some connections then wait far too long: one pinned worker under
     * {@code wrk -t1 -c64} measured p99 8–330 ms with one carrier against 5–8 ms with two, for
     * about 15% fewer requests per second. Options in {@value #WORKER_OPTS_ENV} come later on the
     * command line, so they win.
     */
    static List<String> schedulerOptions(int cpus) {
        return cpus == 1 ? List.of("-Djdk.virtualThreadScheduler.parallelism=2") : List.of();
    }

    /** The command line of one worker JVM: the same JDK and module path as this manager. */
    static List<String> workerCommand(ServerConfig config) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Serial GC suits a JVM that serves on about one core and keeps a small heap; a worker
        // that runs out of memory exits, and the manager replaces it, as a crashed prefork child is.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(schedulerOptions(Runtime.getRuntime().availableProcessors()));
        // Workers with several listeners or IPV6_V6ONLY call jnr, which loads native code through
        // jffi; naming the module keeps JDK 22+ from warning about restricted methods. Every worker
        // gets it, so that the one AOT cache (trained with it) fits them all.
        command.add("--enable-native-access=org.jnrproject.jffi");
        command.add("-Djffi.unsafe.disabled=true");
        // Lets the worker read its connections' descriptors for the edge-triggered poller
        // (EdgePoller); without it connections take the JDK's slower blocking path.
        command.add("--add-exports=java.base/sun.nio.ch=dev.starling.worker");
        System.getProperties().stringPropertyNames().stream()
                .filter(p -> p.startsWith("jdk.system.logger.") || p.startsWith("java.util.logging."))
                .sorted()
                .forEach(p -> command.add("-D" + p + "=" + System.getProperty(p)));
        String extra = System.getenv(WORKER_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        String modulePath = System.getProperty("jdk.module.path");
        aotCache(modulePath).ifPresent(cache -> command.add("-XX:AOTCache=" + cache));
        command.add("--module-path");
        command.add(modulePath);
        command.add("--module");
        command.add("dev.starling.server/dev.starling.server.internal.WorkerMain");
        command.addAll(config.toArguments());
        return command;
    }
}
