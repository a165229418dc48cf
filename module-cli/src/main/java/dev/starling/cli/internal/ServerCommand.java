package dev.starling.cli.internal;

import dev.starling.server.Pool;
import dev.starling.server.Server;
import dev.starling.server.ServerConfig;
import dev.starling.server.StartupException;
import dev.starling.worker.supervisor.Spares;
import dev.starling.server.ListenSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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
            description = "An exchange that reads and sends nothing for longer is ended inside its worker: its thread "
                    + "interrupted, 503 if nothing was sent, its connection closed; the worker serves on. 1-86400 "
                    + "(default: ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--send-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "A write that sends nothing for longer (the client stopped reading) closes its connection, "
                    + "as nginx's send_timeout. 1-86400 (default: ${DEFAULT-VALUE}).")
    long sendTimeoutSeconds;

    @Option(names = "--worker-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "A worker whose heartbeat (twice a second, from a virtual thread) stops for longer is hung "
                    + "(a stuck event loop, every carrier pinned, a GC spiral, SIGSTOP): the manager asks it for a thread "
                    + "dump (SIGQUIT, into this log), kills it 2 s later and starts a replacement; 1-86400 "
                    + "(default: ${DEFAULT-VALUE}).")
    long workerTimeoutSeconds;

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

    // Listeners (issue 5): several at once, of any transport; --host/--port stay the one-TCP-listener shorthand.
    @Option(names = "--listen", paramLabel = "SPEC",
            description = "Listen on SPEC; repeat for several listeners, every worker serving all of them. SPEC: "
                    + ListenSpec.FORMS + ". With --listen, --host/--port add a listener only when given "
                    + "(default: --host:--port).")
    List<String> listen = new ArrayList<>();

    @Option(names = "--socket-mode", paramLabel = "OCTAL",
            description = "Permissions of UNIX socket files, e.g. 660 (default: as the umask gives).")
    String socketMode;

    @Option(names = "--ipv6-only",
            description = "IPv6 listeners accept IPv6 peers only (IPV6_V6ONLY); default: [::] is dual-stack and "
                    + "also serves IPv4 peers.")
    boolean ipv6Only;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Folder of plugins: every jar in it (modular, or plain with META-INF/services) and every "
                    + "exploded module folder is loaded as one module layer by each worker, afresh on every reload (HUP); "
                    + "names starting with '.' are ignored. Replace a jar by renaming a new one over it (default: none).")
    Path plugins;

    @Option(names = "--route", paramLabel = "/PATH=NAME",
            description = "Mount handler NAME under the path prefix /PATH; repeatable, the longest prefix wins and the "
                    + "handler sees the path without it. --handler, if given, answers other paths, else 404 (http1 only).")
    List<String> routes;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "Transport to listen with: ${sys:starling.transports} (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "TLS certificate in PEM, followed by its chain of intermediates (tls only; with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "TLS private key in PEM, unencrypted: PKCS#8, PKCS#1 RSA or SEC1 EC (tls only).")
    Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS#12 keystore holding the TLS key and its certificate chain, instead of --tls-cert and "
                    + "--tls-key; its password comes from --tls-password-file or --tls-password-env (tls only).")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "File whose first line is the --tls-keystore password.")
    Path tlsPasswordFile;

    @Option(names = "--tls-password-env", paramLabel = "VARIABLE",
            description = "Environment variable holding the --tls-keystore password.")
    String tlsPasswordEnv;

    @Option(names = "--tls-handshake-timeout", paramLabel = "SECONDS",
            description = "Time a client has after connecting to finish the TLS handshake; then it is dropped "
                    + "(tls only; 1-3600, default: 10).")
    Integer tlsHandshakeTimeout;

    static {
        // Shown in --help: the real core count and the protocols found on this module path.
        System.setProperty("starling.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        System.setProperty("starling.processes", Server.processNames());
        System.setProperty("starling.transports", Server.transportNames());
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
        requireBetween("--send-timeout", sendTimeoutSeconds, 1, 86_400);
        requireBetween("--worker-timeout", workerTimeoutSeconds, 1, 86_400);
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
        putRoutes(settings);
        if (plugins != null && !java.nio.file.Files.isDirectory(plugins)) {
            throw new ParameterException(spec.commandLine(), "--plugins '" + plugins + "' is not a folder");
        }
        putTlsSettings(settings);
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
                Duration.ofSeconds(requestTimeoutSeconds), Duration.ofSeconds(sendTimeoutSeconds), spares,
                Duration.ofSeconds(workerTimeoutSeconds));
        return new ServerConfig(host, port, reusePort, pool, Duration.ofMillis(timeoutMs),
                Duration.ofSeconds(gracefulTimeoutSeconds), transport, process, Optional.ofNullable(pidFile)
                .map(Path::toAbsolutePath), settings, listeners(), ipv6Only, socketModeBits(),
                Optional.ofNullable(plugins).map(Path::toAbsolutePath));
    }

    /** The --listen specs, each checked; --host/--port given as well come first. */
    private List<String> listeners() {
        if (listen.isEmpty()) {
            return List.of();
        }
        List<String> all = new ArrayList<>();
        var parsed = spec.commandLine().getParseResult();
        if (parsed != null && (parsed.hasMatchedOption("--host") || parsed.hasMatchedOption("--port"))) {
            all.add((host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        }
        all.addAll(listen);
        for (String one : all) {
            try {
                ListenSpec.parse(one, ipv6Only, socketModeBits());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return all;
    }

    private OptionalInt socketModeBits() {
        if (socketMode == null) {
            return OptionalInt.empty();
        }
        if (!socketMode.matches("[0-7]{3,4}") || Integer.parseInt(socketMode, 8) > 0777) {
            throw new ParameterException(spec.commandLine(), "--socket-mode must be octal permission bits between 000 and 777, "
                    + "e.g. 660, was '" + socketMode + "'");
        }
        return OptionalInt.of(Integer.parseInt(socketMode, 8));
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

    /** Checks each {@code --route /PATH=NAME} and hands them to the protocol, in order, as one {@code route} setting. */
    private void putRoutes(Map<String, String> settings) {
        if (routes == null) {
            return;
        }
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        for (String route : routes) {
            if (!ROUTE.matcher(route).matches() || List.of(route.split("[/=]")).contains("..")
                    || List.of(route.split("[/=]")).contains(".")) {
                throw new ParameterException(spec.commandLine(), "--route must be /PATH=NAME, e.g. /api=hello, with PATH"
                        + " whole segments (no spaces, '?', '#', ',', '=', '.' or '..' segments, no trailing '/'), was '"
                        + route + "'");
            }
            if (!prefixes.add(route.substring(0, route.indexOf('=')))) {
                throw new ParameterException(spec.commandLine(), "--route " + route.substring(0, route.indexOf('='))
                        + " is given twice");
            }
        }
        settings.put("route", String.join(",", routes));
    }

    /** {@code /} or {@code /seg/seg}, then {@code =NAME}; the http1 protocol checks the same again. */
    private static final java.util.regex.Pattern ROUTE =
            java.util.regex.Pattern.compile("/(?:[^/\\s\\p{Cntrl}?#,=]+(?:/[^/\\s\\p{Cntrl}?#,=]+)*)?=[^\\s,=]+");

    /**
     * The TLS transport's flags, as settings under their flag names; files as absolute paths. The
     * transport checks them in the manager before any worker starts (see {@code Worker.check}).
     */
    private void putTlsSettings(Map<String, String> settings) {
        putFile(settings, "tls-cert", tlsCert);
        putFile(settings, "tls-key", tlsKey);
        putFile(settings, "tls-keystore", tlsKeystore);
        putFile(settings, "tls-password-file", tlsPasswordFile);
        if (tlsPasswordEnv != null) {
            settings.put("tls-password-env", tlsPasswordEnv);
        }
        putSetting(settings, "tls-handshake-timeout", tlsHandshakeTimeout, 1, 3600);
    }

    private static void putFile(Map<String, String> settings, String flag, Path file) {
        if (file != null) {
            settings.put(flag, file.toAbsolutePath().toString());
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
