package dev.starling.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real {@code server} manager process started from the distribution in
 * {@code module-cli/target/lib} (system property {@code starling.lib}), with its output in a
 * file. {@link #close()} kills the manager and every worker it started, by pid.
 */
public final class ServerProcess implements AutoCloseable {

    /** The manager's "serving PROCESS on LISTENER, LISTENER with N worker(s)" line. */
    private static final Pattern SERVING = Pattern.compile("serving (\\S+) on (.+?) with (\\d+) worker");
    /** The port of the first IP listener in that line: HOST:PORT, [V6]:PORT, optionally after a scheme. */
    private static final Pattern FIRST_PORT = Pattern.compile("(?:^|, )(?:[a-z]+://)?(?:\\[[^\\]]+\\]|[^\\s,\\[:/]+):(\\d+)(?=,|$)");

    private final java.lang.Process process;
    private final Path output;
    private final Set<Long> seenPids = new java.util.concurrent.ConcurrentSkipListSet<>();
    private int port = -1;
    private List<String> listeners = List.of();

    private ServerProcess(java.lang.Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** The module path of the built distribution. */
    public static Path lib() {
        String lib = System.getProperty("starling.lib");
        if (lib == null) {
            throw new IllegalStateException("system property starling.lib is not set (run through Maven)");
        }
        return Path.of(lib).toAbsolutePath().normalize();
    }

    /** The java launcher of the JVM running the tests (a JDK >= 21). */
    public static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** The command line that runs {@code server} with {@code flags}. */
    public static List<String> command(List<String> flags) {
        return command(List.of(), flags);
    }

    /** The command line that runs {@code server} with {@code flags} and extra modules (handler jars) on the module path. */
    public static List<String> command(List<Path> modules, List<String> flags) {
        return command(List.of(), modules, flags);
    }

    /**
     * The command line that runs {@code server} with {@code flags}, extra modules on the module
     * path, and extra JVM options for the manager ({@code managerOptions}, where bin/server puts
     * STARLING_MANAGER_OPTS).
     */
    public static List<String> command(List<String> managerOptions, List<Path> modules, List<String> flags) {
        StringBuilder modulePath = new StringBuilder(lib().toString());
        modules.forEach(m -> modulePath.append(java.io.File.pathSeparator).append(m));
        // The same JVM options as bin/server gives the manager.
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=org.jnrproject.jffi", "-Djffi.unsafe.disabled=true"));
        command.addAll(managerOptions);
        command.addAll(List.of("--module-path", modulePath.toString(), "--module", "dev.starling.cli/dev.starling.cli.internal.Main"));
        command.addAll(flags);
        return command;
    }

    /** Starts {@code server} with {@code flags} and returns without waiting. */
    public static ServerProcess launch(String... flags) throws IOException {
        return launch(command(List.of(flags)), java.util.Map.of());
    }

    /** Starts {@code command} (which must exec the manager, as bin/server does) with extra environment variables. */
    public static ServerProcess launch(List<String> command, java.util.Map<String, String> env) throws IOException {
        Path output = Files.createTempFile("starling-it-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(env);
        return new ServerProcess(builder.start(), output);
    }

    /** The repository's {@code bin/} folder. */
    public static Path bin() {
        return lib().resolve("../../../bin").normalize();
    }

    /** Starts {@code server} with {@code flags} and waits until it says it is serving. */
    public static ServerProcess start(String... flags) throws IOException {
        ServerProcess server = launch(flags);
        try {
            server.awaitServing(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Waits for the manager's "serving ... on HOST:PORT" line and learns the port from it. */
    public void awaitServing(Duration timeout) {
        await(timeout, () -> SERVING.matcher(output()).find() || !process.isAlive(),
                "the server to log 'serving ...'");
        Matcher m = SERVING.matcher(output());
        if (!m.find()) {
            throw new AssertionError("the server exited before serving; its output:\n" + output());
        }
        listeners = List.of(m.group(2).split(", "));
        Matcher first = FIRST_PORT.matcher(m.group(2));
        port = first.find() ? Integer.parseInt(first.group(1)) : -1;
        workerPids().forEach(seenPids::add);
    }

    /** The listeners the manager said it serves, in order, with the ports port 0 resolved to, e.g. {@code udp://127.0.0.1:40000}. */
    public List<String> listeners() {
        return listeners;
    }

    /** The port of the {@code index}th listener, an IP one. */
    public int port(int index) {
        String spec = listeners.get(index);
        return Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1));
    }

    /** The port of the first IP listener. */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("the server has not said which port it serves");
        }
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public java.lang.Process process() {
        return process;
    }

    /** The manager's live child processes: its workers. */
    public List<Long> workerPids() {
        List<Long> pids = process.toHandle().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).sorted().toList();
        seenPids.addAll(pids);
        return pids;
    }

    /** Everything the manager and its workers wrote so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read server output " + output, e);
        }
    }

    /** Sends a signal by name (e.g. {@code "KILL"}) to {@code pid} with kill(1). */
    public static void signal(long pid, String name) throws IOException, InterruptedException {
        java.lang.Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed");
        }
    }

    /** Waits for the manager to exit and returns its status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the server (pid " + pid() + ") did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** {@link #await}, with this server's output in the failure message. */
    public void awaitLogged(Duration timeout, BooleanSupplier condition, String what) {
        try {
            await(timeout, condition, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; server output:\n" + output(), e);
        }
    }

    /** Polls {@code condition} every 20 ms; fails naming {@code what} when it stays false past {@code timeout}. */
    public static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /**
     * Every live process started by this manager, found by the {@code STARLING_MANAGER_PID}
     * the manager puts in each worker's environment, so that workers re-parented after the
     * manager's death are found too.
     */
    public List<Long> liveWorkerPids() {
        String marker = "STARLING_MANAGER_PID=" + pid();
        List<Long> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path dir : procs.toList()) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String env = new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.ISO_8859_1);
                    if (List.of(env.split("\0")).contains(marker)
                            && ProcessHandle.of(Long.parseLong(name)).map(ProcessHandle::isAlive).orElse(false)) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException goneOrNotOurs) {
                    // The process ended while we looked, or is not readable: not one of ours.
                    continue;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        seenPids.addAll(found);
        return found;
    }

    /** Kills the manager and every worker this harness saw, by pid, and removes the output file. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.toHandle().descendants().forEach(all::add);
        liveWorkerPids();
        seenPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(all::add));
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("process " + h.pid() + " did not die after SIGKILL", e);
            }
        }
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + output, e);
        }
    }

    @Override
    public String toString() {
        return "server pid " + pid() + " workers " + workerPids().stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
