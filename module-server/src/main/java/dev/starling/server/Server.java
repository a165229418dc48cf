package dev.starling.server;

import dev.starling.process.Process;
import dev.starling.process.Providers;
import dev.starling.worker.Manager;
import dev.starling.worker.ManagerConfig;
import dev.starling.worker.Scoreboard;
import dev.starling.worker.SharedSocket;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /**
     * Checks the configuration, then runs the manager until it is stopped by a signal.
     *
     * @return the manager's exit status
     * @throws StartupException when the configuration cannot run here; nothing was started
     */
    public static int run(ServerConfig config) throws StartupException, IOException, InterruptedException {
        try {
            Providers.byName(ServiceLoader.load(Process.class), Process::name, "protocol", config.process());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage() + " (--process)");
        }
        Worker transport;
        try {
            transport = Providers.byName(ServiceLoader.load(Worker.class), Worker::name, "transport", config.transport());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage() + " (--transport)");
        }
        try {
            // What every worker will load (TLS keys, say) is checked once, here, before any starts.
            transport.check(new WorkerConfig(InetSocketAddress.createUnresolved(config.host(), config.port()),
                    WorkerConfig.DEFAULT_BACKLOG, WorkerConfig.ListenMode.INHERITED, config.settings()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        PreviousRuns.checkPidFile(config.pidFile());
        PreviousRuns.sweepScoreboards(Scoreboard.defaultPath(0).getParent());
        if (config.reusePort()) {
            return runManager(config.withPort(probePort(config)));
        }
        // The zero-drop mode: one socket, bound here, inherited by every worker on fd 0.
        ServerSocketChannel shared;
        try {
            shared = SharedSocket.bindOnStandardInput(new InetSocketAddress(resolve(config), config.port()), WorkerConfig.DEFAULT_BACKLOG);
        } catch (BindException e) {
            throw bindFailure(config, e);
        }
        try (shared) {
            return runManager(config.withPort(((InetSocketAddress) shared.getLocalAddress()).getPort()));
        }
    }

    private static int runManager(ServerConfig resolved) throws IOException, InterruptedException {
        String where = resolved.process() + " on " + hostPort(resolved);
        ManagerConfig managerConfig = new ManagerConfig(resolved.pool().workers(), workerCommand(resolved),
                resolved.gracefulTimeout(), READY_TIMEOUT, resolved.pool().requestTimeout(), resolved.pool().spawnInterval(),
                resolved.pool().spares(), resolved.pidFile(), where);
        return new Manager(managerConfig).run();
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
     * make the JVM reject it with a warning); {@code STARLING_AOT=off} turns it off.
     */
    static Optional<Path> aotCache(String modulePath) {
        if (Runtime.version().feature() < 25 || "off".equals(System.getenv("STARLING_AOT"))
                || modulePath == null || modulePath.contains(java.io.File.pathSeparator)) {
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

    /** The command line of one worker JVM: the same JDK and module path as this manager. */
    static List<String> workerCommand(ServerConfig config) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Serial GC suits a JVM that serves on about one core and keeps a small heap; a worker
        // that runs out of memory exits, and the manager replaces it, as a crashed prefork child is.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:+ExitOnOutOfMemoryError");
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
