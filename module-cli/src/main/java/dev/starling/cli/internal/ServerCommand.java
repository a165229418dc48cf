package dev.starling.cli.internal;

import dev.starling.server.Pool;
import dev.starling.server.Server;
import dev.starling.server.ServerConfig;
import dev.starling.server.StartupException;
import dev.starling.worker.Spares;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code server} command's flags; see README.md for what each one does. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = ServerCommand.Version.class,
        subcommands = StatusCommand.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Starts a manager process and --worker worker processes that serve --process on --host:--port.",
        footer = {"", "Signals to the manager: TERM or INT stop gracefully (a second INT forces); HUP reloads "
                + "(new workers take over once they accept); TTIN adds a worker, TTOU removes one. QUIT is the JVM's "
                + "thread dump: use TERM where Starman uses QUIT.",
                "Exit status: 0 after a graceful stop, 1 when the server cannot start, 2 for a bad flag."})
final class ServerCommand implements Callable<Integer> {

    static final int EXIT_USAGE = 2;
    static final int EXIT_CANNOT_START = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port to listen on, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--worker", paramLabel = "N",
            description = "Worker processes to keep running, 1-" + ServerConfig.MAX_WORKERS
                    + " (default: one per core, here ${sys:starling.cores}).")
    Integer workers;

    @Option(names = "--reuseport",
            description = "Each worker binds its own SO_REUSEPORT socket: the kernel spreads connections evenly, but "
                    + "connections queued at a worker that stops are reset. Default: the manager binds one socket that "
                    + "every worker inherits, which loses nothing on reloads and restarts.")
    boolean reusePort;

    @Option(names = "--worker-connections", paramLabel = "N", defaultValue = "10000",
            description = "Most connections one worker serves at once; beyond it new ones wait in the kernel's queue. "
                    + "1 gives one connection per process, as Apache prefork (default: ${DEFAULT-VALUE}).")
    int workerConnections;

    @Option(names = "--max-requests-per-child", paramLabel = "N", defaultValue = "0",
            description = "Replace a worker after it served N requests (its successor accepts before it stops); "
                    + "0 = never (default: ${DEFAULT-VALUE}).")
    long maxRequestsPerChild;

    @Option(names = "--min-requests-per-child", paramLabel = "M",
            description = "With --max-requests-per-child N: each worker serves a random count in [M, N] "
                    + "(default: N, no randomness).")
    Long minRequestsPerChild;

    @Option(names = "--spawn-interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "At most one worker start every SECONDS after start-up; a reload then replaces workers "
                    + "one at a time (slow restart). 0 = no limit (default: ${DEFAULT-VALUE}).")
    long spawnIntervalSeconds;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "A worker inside one request for longer (as its scoreboard heartbeats show) gets SIGTERM, "
                    + "SIGKILL " + "3 s later, and a replacement (default: ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--min-spare", paramLabel = "N",
            description = "Adaptive pool: start a worker when fewer than N are idle (no request in flight); "
                    + "checked every second. Giving any of --min-spare, --max-spare, --max-workers turns it on "
                    + "(default: off, a fixed pool; 1 when on).")
    Integer minSpare;

    @Option(names = "--max-spare", paramLabel = "N",
            description = "Adaptive pool: stop an idle worker when more than N are idle (default when on: --min-spare + 2).")
    Integer maxSpare;

    @Option(names = "--max-workers", paramLabel = "N",
            description = "Adaptive pool: never more workers than N (default when on: 4 per core, at least --worker).")
    Integer maxWorkers;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "2000",
            description = "Accept deadline: how often an idle worker checks that its manager lives "
                    + "and whether it must stop; an orphaned worker exits within it (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--graceful-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a stop lets in-flight requests finish before workers are killed (default: ${DEFAULT-VALUE}).")
    long gracefulTimeoutSeconds;

    @Option(names = "--process", paramLabel = "NAME", defaultValue = "http1",
            description = "Protocol to serve: ${sys:starling.processes} (default: ${DEFAULT-VALUE}).")
    String process;

    @Option(names = "--handler", paramLabel = "NAME",
            description = "HTTP handler to answer requests with (http1 only; default: welcome).")
    String handler;

    @Option(names = "--max-request-line", paramLabel = "BYTES",
            description = "Longest HTTP request line; longer gets 414 (http1 only; 64-1048576, default: 8192).")
    Integer maxRequestLine;

    @Option(names = "--max-header-size", paramLabel = "BYTES",
            description = "Largest HTTP header section after the request line (and largest trailer section); "
                    + "larger gets 431 (http1 only; 256-1048576, default: 8192).")
    Integer maxHeaderSize;

    @Option(names = "--max-body-size", paramLabel = "BYTES",
            description = "Largest HTTP request body; larger gets 413 without being read (http1 only; default: 10485760).")
    Integer maxBodySize;

    @Option(names = "--keepalive-timeout", paramLabel = "SECONDS",
            description = "How long an HTTP connection may sit idle between requests before it is closed "
                    + "(http1 only; 1-3600, default: 5).")
    Integer keepaliveTimeout;

    @Option(names = "--header-timeout", paramLabel = "SECONDS",
            description = "How long a request may take from its first byte to the end of its header section, "
                    + "however slowly the bytes come; then 408 and close (http1 only; 1-3600, default: 10).")
    Integer headerTimeout;

    @Option(names = "--body-timeout", paramLabel = "SECONDS",
            description = "How long each read inside a request body may wait for a byte; then 408 and close "
                    + "(http1 only; 1-3600, default: 30).")
    Integer bodyTimeout;

    @Option(names = "--max-keepalive-reqs", paramLabel = "N",
            description = "Requests served on one HTTP connection; the last gets Connection: close "
                    + "(http1 only; 1-2147483647, default: 1000).")
    Integer maxKeepaliveReqs;

    @Option(names = "--access-log",
            description = "Log every HTTP request (request line, status, length, time, request id) at INFO to the "
                    + "logger dev.starling.http.access (http1 only; default: off).")
    boolean accessLog;

    @Option(names = "--ws-endpoint", paramLabel = "[PATH=]NAME",
            description = "Mount the WebSocket endpoint NAME at PATH (default: the endpoint's own path); repeatable "
                    + "(http1 and websocket; default: none for http1, /=echo for websocket).")
    java.util.List<String> wsEndpoints;

    @Option(names = "--ws-max-message", paramLabel = "BYTES",
            description = "Largest WebSocket message, reassembled and inflated; larger closes with 1009 "
                    + "(1-1073741824, default: 1048576).")
    Integer wsMaxMessage;

    @Option(names = "--ws-idle-timeout", paramLabel = "SECONDS",
            description = "A WebSocket client silent this long gets a ping, and is closed with 1001 when it stays silent "
                    + "as long again; a send not finished after this long ends the connection (1-86400, default: 60).")
    Integer wsIdleTimeout;

    @Option(names = "--ws-deflate", paramLabel = "true|false", arity = "1",
            description = "Accept permessage-deflate (RFC 7692) when a WebSocket client offers it (default: true).")
    Boolean wsDeflate;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the manager's pid to FILE; removed on exit.")
    Path pidFile;

    static {
        // Shown in --help: the real core count and the protocols found on this module path.
        System.setProperty("starling.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        System.setProperty("starling.processes", Server.processNames());
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = toConfig();
        try {
            return Server.run(config);
        } catch (StartupException e) {
            spec.commandLine().getErr().println("server: " + e.getMessage());
            return EXIT_CANNOT_START;
        }
    }

    ServerConfig toConfig() {
        int workerCount = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        requireBetween("--worker", workerCount, 1, ServerConfig.MAX_WORKERS);
        requireBetween("--port", port, 0, 65535);
        requireBetween("--timeout-ms", timeoutMs, 1, 3_600_000);
        requireBetween("--graceful-timeout", gracefulTimeoutSeconds, 0, 86_400);
        requireBetween("--worker-connections", workerConnections, 1, 1_000_000);
        requireBetween("--max-requests-per-child", maxRequestsPerChild, 0, Long.MAX_VALUE);
        long minRequests = minRequestsPerChild == null ? maxRequestsPerChild : minRequestsPerChild;
        requireBetween("--min-requests-per-child", minRequests, 0, maxRequestsPerChild);
        requireBetween("--spawn-interval", spawnIntervalSeconds, 0, 3600);
        requireBetween("--request-timeout", requestTimeoutSeconds, 1, 86_400);
        if (host.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--host must not be empty");
        }
        Map<String, String> settings = new TreeMap<>();
        if (handler != null) {
            settings.put("handler", handler);
        }
        putSetting(settings, "max-request-line", maxRequestLine, 64, 1 << 20);
        putSetting(settings, "max-header-size", maxHeaderSize, 256, 1 << 20);
        putSetting(settings, "max-body-size", maxBodySize, 0, Integer.MAX_VALUE);
        putSetting(settings, "keepalive-timeout", keepaliveTimeout, 1, 3600);
        putSetting(settings, "header-timeout", headerTimeout, 1, 3600);
        putSetting(settings, "body-timeout", bodyTimeout, 1, 3600);
        putSetting(settings, "max-keepalive-reqs", maxKeepaliveReqs, 1, Integer.MAX_VALUE);
        if (accessLog) {
            settings.put("access-log", "true");
        }
        putWebSocketSettings(settings);
        Optional<Spares> spares = Optional.empty();
        if (minSpare != null || maxSpare != null || maxWorkers != null) {
            int min = minSpare == null ? 1 : minSpare;
            requireBetween("--min-spare", min, 0, ServerConfig.MAX_WORKERS);
            int max = maxSpare == null ? min + 2 : maxSpare;
            requireBetween("--max-spare", max, min, ServerConfig.MAX_WORKERS);
            int most = maxWorkers == null ? Math.max(workerCount, 4 * Runtime.getRuntime().availableProcessors()) : maxWorkers;
            requireBetween("--max-workers", most, workerCount, ServerConfig.MAX_WORKERS);
            spares = Optional.of(new Spares(min, max, most));
        }
        Pool pool = new Pool(workerCount, workerConnections, maxRequestsPerChild, minRequests, Duration.ofSeconds(spawnIntervalSeconds),
                Duration.ofSeconds(requestTimeoutSeconds), spares);
        return new ServerConfig(host, port, reusePort, pool, Duration.ofMillis(timeoutMs),
                Duration.ofSeconds(gracefulTimeoutSeconds), "tcp", process, Optional.ofNullable(pidFile)
                .map(Path::toAbsolutePath), settings);
    }

    private void putWebSocketSettings(Map<String, String> settings) {
        if (wsEndpoints != null) {
            for (String mount : wsEndpoints) {
                if (mount.isBlank() || mount.contains(",") || mount.endsWith("=")) {
                    throw new ParameterException(spec.commandLine(), "--ws-endpoint must be NAME or PATH=NAME, was '"
                            + mount + "'");
                }
            }
            settings.put("ws-endpoint", String.join(",", wsEndpoints));
        }
        putSetting(settings, "ws-max-message", wsMaxMessage, 1, 1 << 30);
        putSetting(settings, "ws-idle-timeout", wsIdleTimeout, 1, 86_400);
        if (wsDeflate != null) {
            settings.put("ws-deflate", wsDeflate.toString());
        }
    }

    /** Checks a protocol flag the operator gave and hands it to the protocol under its flag name; absent stays absent. */
    private void putSetting(Map<String, String> settings, String flag, Integer value, long min, long max) {
        if (value != null) {
            requireBetween("--" + flag, value, min, max);
            settings.put(flag, value.toString());
        }
    }

    private void requireBetween(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), flag + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** {@code --version}: the build's version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"starling " + Server.version()};
        }
    }
}
