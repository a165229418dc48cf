package dev.starling.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a real peer program (curl, openssl) to its end, with a bound on how long it may take. */
final class Peers {

    /** What a peer program did: its exit status and everything it wrote to stdout and stderr. */
    record Result(int exit, String output) {
    }

    private Peers() {
    }

    /**
     * Runs {@code command} in {@code dir} with {@code stdin} as its input.
     *
     * @throws AssertionError when it runs longer than {@code limit} (it is killed) or cannot start
     */
    static Result run(Path dir, String stdin, Duration limit, String... command) throws IOException, InterruptedException {
        java.lang.Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        // Read while it runs, so a chatty program never blocks on a full pipe.
        var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + limit);
        }
        return new Result(p.exitValue(), output.join());
    }

    /** {@link #run} that must exit 0; returns its output. */
    static String check(Path dir, String... command) throws IOException, InterruptedException {
        Result r = run(dir, "", Duration.ofSeconds(60), command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }
}
