package dev.starling.server;

import dev.starling.worker.supervisor.Spares;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Everything a server run needs, validated; built by the CLI, passed to worker processes as
 * {@code name=value} arguments.
 *
 * @param host            the address to listen on
 * @param port            the TCP port, 0 for any free one (the manager picks it once for all workers)
 * @param reusePort       true: each worker binds its own SO_REUSEPORT socket ({@code --reuseport});
 *                        false: the manager binds one socket that every worker inherits, so no
 *                        queued connection is lost when a worker stops
 * @param pool            how many workers, and how long each lives
 * @param acceptTimeout   the accept deadline ({@code --timeout-ms}): how often an idle worker
 *                        checks that its manager lives and whether it must stop
 * @param gracefulTimeout how long a stop lets in-flight requests finish ({@code --graceful-timeout})
 * @param transport       the {@link dev.starling.worker.Worker} provider name, e.g. {@code tcp}
 * @param process         the {@link dev.starling.process.Process} provider name, e.g. {@code http1}
 * @param pidFile         where the manager writes its pid
 * @param settings        the protocol's own settings by flag name (e.g. {@code handler},
 *                        {@code max-header-size}), handed to it as {@link dev.starling.process.ProcessContext#setting},
 *                        and the transport's (e.g. {@code tls-cert}), handed to it in its
 *                        {@link dev.starling.worker.WorkerConfig#settings()}
 * @param listen          the {@code --listen} specs ({@link ListenSpec} forms); when empty, the one
 *                        listener is {@code transport} on {@code host:port}
 * @param ipv6Only        {@code --ipv6-only}: IPv6 listeners serve IPv6 peers only ({@code IPV6_V6ONLY})
 * @param socketMode      {@code --socket-mode}: permission bits of UNIX socket files, or empty for the umask's
 * @param plugins         the plugins folder ({@code --plugins}), loaded by each worker as a module
 *                        layer on top of the boot layer; empty for the boot layer alone
 */
public record ServerConfig(String host, int port, boolean reusePort, Pool pool, Duration acceptTimeout,
                           Duration gracefulTimeout, String transport, String process, Optional<Path> pidFile,
                           Map<String, String> settings, List<String> listen, boolean ipv6Only, OptionalInt socketMode,
                           Optional<Path> plugins) {

    public static final int MAX_WORKERS = 1024;

    private static final String SETTING_PREFIX = "set.";

    /** Worker arguments {@code listen.000=SPEC}, in order (the map that carries them sorts by name). */
    private static final String LISTEN_PREFIX = "listen.";

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        Objects.requireNonNull(pool, "pool");
        if (!acceptTimeout.isPositive()) {
            throw new IllegalArgumentException("accept timeout must be positive, was " + acceptTimeout);
        }
        if (gracefulTimeout.isNegative()) {
            throw new IllegalArgumentException("graceful timeout must not be negative, was " + gracefulTimeout);
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(pidFile, "pidFile");
        settings = Map.copyOf(settings);
        listen = List.copyOf(listen);
        Objects.requireNonNull(socketMode, "socketMode");
        Objects.requireNonNull(plugins, "plugins");
    }

    /** A configuration with its one listener on {@code host:port}, dual-stack, with no socket file mode and no plugins folder. */
    public ServerConfig(String host, int port, boolean reusePort, Pool pool, Duration acceptTimeout,
                        Duration gracefulTimeout, String transport, String process, Optional<Path> pidFile,
                        Map<String, String> settings) {
        this(host, port, reusePort, pool, acceptTimeout, gracefulTimeout, transport, process, pidFile, settings,
                List.of(), false, OptionalInt.empty(), Optional.empty());
    }

    /** This configuration with another port, e.g. the one port 0 resolved to. */
    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, reusePort, pool, acceptTimeout, gracefulTimeout, transport, process, pidFile, settings,
                listen, ipv6Only, socketMode, plugins);
    }

    /** This configuration with other {@code --listen} specs, e.g. with the ports that port 0 resolved to. */
    public ServerConfig withListen(List<String> specs) {
        return new ServerConfig(host, port, reusePort, pool, acceptTimeout, gracefulTimeout, transport, process, pidFile, settings,
                specs, ipv6Only, socketMode, plugins);
    }

    /**
     * Every listener, in order: the {@code --listen} specs, or {@code transport} on
     * {@code host:port} when there are none.
     *
     * @throws IllegalArgumentException naming the flag, when a spec or the host is malformed or unknown
     */
    public List<ListenSpec> listeners() {
        if (listen.isEmpty()) {
            String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            try {
                ListenSpec spec = ListenSpec.parse(hostPort, ipv6Only, socketMode);
                return List.of(new ListenSpec(transport, spec.endpoint()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--host '" + host + "' is not a known host name or address", e);
            }
        }
        return listen.stream().map(spec -> ListenSpec.parse(spec, ipv6Only, socketMode)).toList();
    }

    /** The worker-process arguments carrying this configuration; read back by {@link #fromArguments}. */
    public List<String> toArguments() {
        Map<String, String> all = new TreeMap<>();
        all.put("host", host);
        all.put("port", Integer.toString(port));
        all.put("reuseport", Boolean.toString(reusePort));
        all.put("workers", Integer.toString(pool.workers()));
        all.put("worker-connections", Integer.toString(pool.workerConnections()));
        all.put("max-requests-per-child", Long.toString(pool.maxRequestsPerChild()));
        all.put("min-requests-per-child", Long.toString(pool.minRequestsPerChild()));
        all.put("spawn-interval-ms", Long.toString(pool.spawnInterval().toMillis()));
        all.put("request-timeout-ms", Long.toString(pool.requestTimeout().toMillis()));
        all.put("send-timeout-ms", Long.toString(pool.sendTimeout().toMillis()));
        all.put("worker-timeout-ms", Long.toString(pool.workerTimeout().toMillis()));
        pool.spares().ifPresent(spares -> {
            all.put("min-spare", Integer.toString(spares.minSpare()));
            all.put("max-spare", Integer.toString(spares.maxSpare()));
            all.put("max-workers", Integer.toString(spares.maxWorkers()));
        });
        all.put("timeout-ms", Long.toString(acceptTimeout.toMillis()));
        all.put("graceful-timeout-ms", Long.toString(gracefulTimeout.toMillis()));
        all.put("transport", transport);
        all.put("process", process);
        pidFile.ifPresent(p -> all.put("pid-file", p.toString()));
        plugins.ifPresent(p -> all.put("plugins", p.toString()));
        settings.forEach((k, v) -> all.put(SETTING_PREFIX + k, v));
        for (int i = 0; i < listen.size(); i++) {
            all.put(LISTEN_PREFIX + String.format("%03d", i), listen.get(i));
        }
        if (ipv6Only) {
            all.put("ipv6-only", "true");
        }
        socketMode.ifPresent(mode -> all.put("socket-mode", Integer.toOctalString(mode)));
        return all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * Reads what {@link #toArguments()} wrote.
     *
     * @throws IllegalArgumentException naming the argument that is missing or malformed
     */
    public static ServerConfig fromArguments(List<String> args) {
        Map<String, String> all = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        Map<String, String> listen = new TreeMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("worker argument '" + arg + "' is not name=value");
            }
            String name = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (name.startsWith(SETTING_PREFIX)) {
                settings.put(name.substring(SETTING_PREFIX.length()), value);
            } else if (name.startsWith(LISTEN_PREFIX)) {
                listen.put(name, value);
            } else {
                all.put(name, value);
            }
        }
        Pool pool = new Pool(Integer.parseInt(required(all, "workers")), Integer.parseInt(required(all, "worker-connections")),
                Long.parseLong(required(all, "max-requests-per-child")), Long.parseLong(required(all, "min-requests-per-child")),
                Duration.ofMillis(Long.parseLong(required(all, "spawn-interval-ms"))),
                Duration.ofMillis(Long.parseLong(required(all, "request-timeout-ms"))),
                Duration.ofMillis(Long.parseLong(required(all, "send-timeout-ms"))),
                all.containsKey("max-workers") ? Optional.of(new Spares(Integer.parseInt(required(all, "min-spare")),
                        Integer.parseInt(required(all, "max-spare")), Integer.parseInt(required(all, "max-workers"))))
                        : Optional.empty(),
                Duration.ofMillis(Long.parseLong(required(all, "worker-timeout-ms"))));
        return new ServerConfig(required(all, "host"), Integer.parseInt(required(all, "port")),
                Boolean.parseBoolean(required(all, "reuseport")), pool,
                Duration.ofMillis(Long.parseLong(required(all, "timeout-ms"))),
                Duration.ofMillis(Long.parseLong(required(all, "graceful-timeout-ms"))),
                required(all, "transport"), required(all, "process"),
                Optional.ofNullable(all.get("pid-file")).map(Path::of), settings, List.copyOf(listen.values()),
                Boolean.parseBoolean(all.get("ipv6-only")),
                all.containsKey("socket-mode") ? OptionalInt.of(Integer.parseInt(all.get("socket-mode"), 8)) : OptionalInt.empty(),
                Optional.ofNullable(all.get("plugins")).map(Path::of));
    }

    private static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            throw new IllegalArgumentException("worker argument '" + name + "' is missing");
        }
        return value;
    }
}
