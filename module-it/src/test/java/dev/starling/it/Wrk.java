package dev.starling.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code wrk -t1} run against loopback, its report in a file; {@link #close()} kills it by pid
 * if it still runs. Its request timeout is 10 s: on a busy 2-core machine new JVMs starting
 * beside it once held a request over wrk's default 2 s, and that is not a lost request.
 */
final class Wrk implements AutoCloseable {

    /**
     * What wrk printed: requests answered, its socket errors by kind, answers outside 2xx and 3xx,
     * and the whole text.
     */
    record Report(long requests, long connect, long read, long write, long timeout, long non2xx, String text) {

        long socketErrors() {
            return connect + read + write + timeout;
        }

        /** One line for a test's output. */
        String summary() {
            return requests + " requests, socket errors: connect " + connect + ", read " + read + ", write " + write
                    + ", timeout " + timeout + "; non-2xx/3xx " + non2xx;
        }

        static Report parse(String text) {
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(text);
            if (!requests.find()) {
                throw new AssertionError("wrk printed no report:\n" + text);
            }
            Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(text);
            boolean anyErrors = errors.find();
            Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
            return new Report(Long.parseLong(requests.group(1)),
                    anyErrors ? Long.parseLong(errors.group(1)) : 0, anyErrors ? Long.parseLong(errors.group(2)) : 0,
                    anyErrors ? Long.parseLong(errors.group(3)) : 0, anyErrors ? Long.parseLong(errors.group(4)) : 0,
                    non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, text);
        }
    }

    private final java.lang.Process process;
    private final Path output;

    private Wrk(java.lang.Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code wrk -t1 -cCONNECTIONS -dSECONDSs --timeout 10s http://127.0.0.1:PORT/}. */
    static Wrk start(int port, int connections, Duration duration) throws IOException {
        Path output = Files.createTempFile("starling-wrk-", ".txt");
        try {
            java.lang.Process p = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                    "--timeout", "10s", "http://127.0.0.1:" + port + "/")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new Wrk(p, output);
        } catch (IOException e) {
            Files.deleteIfExists(output);
            throw new AssertionError("this test needs wrk (apt-get install wrk; .ci/run installs it)", e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean running() {
        return process.isAlive();
    }

    /** Ends the run early: on SIGINT wrk stops and prints its report of what happened so far. */
    void interrupt() throws IOException, InterruptedException {
        if (process.isAlive()) {
            ServerProcess.signal(process.pid(), "INT");
        }
    }

    /** Waits for wrk to finish (at most {@code timeout}) and parses its report. */
    Report await(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("wrk (pid " + process.pid() + ") did not finish within " + timeout
                    + "; its output so far:\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
        return Report.parse(Files.readString(output, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("wrk (pid " + process.pid() + ") did not die after SIGKILL");
        }
        Files.deleteIfExists(output);
    }
}
