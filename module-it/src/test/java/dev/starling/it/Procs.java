package dev.starling.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the fault-injection tests read about processes from {@code /proc} (memory, descriptors,
 * limits, start times), the manager's log lines with their timestamps, and {@code server status}.
 * Linux only, as the server is.
 */
final class Procs {

    /** The log format's timestamp ({@code %1$tF %1$tT.%1$tL}, local time) at the start of a line. */
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    /** {@code /proc/PID/stat}'s start time is in clock ticks of this many nanoseconds (USER_HZ, 100 on Linux). */
    private static final long NANOS_PER_TICK = TimeUnit.SECONDS.toNanos(1) / 100;

    private Procs() {
    }

    /**
     * Whether {@code pid} has exited: no {@code /proc/PID}, or a zombie (state Z or X). Orphans
     * here are re-parented to a pid 1 that does not reap them, and {@link ProcessHandle#of} went
     * on calling such a zombie alive for 1-2 s after it exited (measured: exited after 670 ms by
     * /proc, absent from ProcessHandle after 2.3 s), which would inflate every figure.
     */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException noSuchProcess) {
            return true;
        }
    }

    /** The pids of {@code pids} that still run. */
    static List<Long> alive(List<Long> pids) {
        return pids.stream().filter(p -> !gone(p)).toList();
    }

    /** Resident memory of {@code pid} in KiB ({@code VmRSS}), or -1 when it is gone. */
    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
            return -1;
        } catch (IOException gone) {
            return -1;
        }
    }

    /** Open file descriptors of {@code pid}, or -1 when it is gone. */
    static int openFds(long pid) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException gone) {
            return -1;
        }
    }

    /** The soft limit of open files of {@code pid} ({@code ulimit -n}); Long.MAX_VALUE when unlimited. */
    static long openFileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' in /proc/" + pid + "/limits");
    }

    /**
     * When {@code pid} started, on the clock of {@link System#nanoTime()} (both count from boot
     * on Linux), to the tick (10 ms): {@code /proc/PID/stat} field 22.
     */
    static long startNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[19]) * NANOS_PER_TICK; // field 22 of the whole line; fields[0] is field 3
    }

    /** Whether {@code pid} started at or after {@code nanoTime}, with the tick's resolution. */
    static boolean startedAfter(long pid, long nanoTime) throws IOException {
        return startNanos(pid) >= nanoTime / NANOS_PER_TICK * NANOS_PER_TICK;
    }

    /**
     * Polls {@code condition} every 10 ms for at most {@code max}; how long it took to become
     * true, or empty. For figures a test reports whether or not it then asserts a bound on them.
     */
    static Optional<Duration> until(Duration max, BooleanSupplier condition) throws InterruptedException {
        return until(max, Duration.ofMillis(10), condition);
    }

    /**
     * {@link #until(Duration, BooleanSupplier)}, polling every {@code interval}: for conditions
     * that cost a process start each ({@code server status} is a JVM).
     */
    static Optional<Duration> until(Duration max, Duration interval, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            if (condition.getAsBoolean()) {
                return Optional.of(Duration.ofNanos(System.nanoTime() - start));
            }
            if (System.nanoTime() - start > max.toNanos()) {
                return Optional.empty();
            }
            Thread.sleep(interval);
        }
    }

    /** The lines of {@code log} that match. */
    static List<String> lines(String log, Predicate<String> match) {
        return log.lines().filter(match).toList();
    }

    /** The timestamp of the first line of {@code log} that matches, if any (the log's local time). */
    static Optional<Instant> loggedAt(String log, Predicate<String> match) {
        return log.lines().filter(match).findFirst().filter(l -> l.length() >= 23)
                .map(l -> LocalDateTime.parse(l.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant());
    }

    /** The generations of every "reload done; generation N" line, in order. */
    static List<Integer> reloadsDone(String log) {
        List<Integer> done = new ArrayList<>();
        Matcher m = Pattern.compile("reload done; generation (\\d+)").matcher(log);
        while (m.find()) {
            done.add(Integer.parseInt(m.group(1)));
        }
        return done;
    }

    /** One row of {@code server status}. */
    record Row(int slot, long pid, int generation, String state) {
    }

    /** {@code server status --pid-file FILE}: its rows and its text; fails unless it exits 0. */
    record Status(List<Row> rows, String text) {

        private static final Pattern ROW = Pattern.compile("(?m)^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s+\\d+");

        static Status read(Path pidFile) {
            try {
                java.lang.Process p = new ProcessBuilder(ServerProcess.command(List.of("status", "--pid-file", pidFile.toString())))
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("server status did not finish within 30 s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("server status exited " + p.exitValue() + ": " + out);
                }
                List<Row> rows = new ArrayList<>();
                Matcher m = ROW.matcher(out);
                while (m.find()) {
                    rows.add(new Row(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)), m.group(4)));
                }
                return new Status(rows, out);
            } catch (IOException e) {
                throw new AssertionError("cannot run server status", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted running server status", e);
            }
        }

        List<Long> pids() {
            return rows.stream().map(Row::pid).sorted().toList();
        }
    }
}
