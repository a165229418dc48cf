package dev.starling.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Another program a test talks to the server with (python3, node, chromium through Playwright),
 * run to its end with a deadline; killed with its children when the deadline passes.
 *
 * @param exitCode its exit status
 * @param output   what it wrote to standard output and standard error, interleaved
 */
record PeerProgram(int exitCode, String output) {

    static PeerProgram run(List<String> command, Map<String, String> env, Duration timeout) throws IOException,
            InterruptedException {
        Path log = Files.createTempFile("starling-peer-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().putAll(env);
            java.lang.Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command.getFirst() + " did not finish within " + timeout + "; output:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new PeerProgram(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Fails unless the program exited 0; returns its output. */
    String ok() {
        if (exitCode != 0) {
            throw new AssertionError("exit status " + exitCode + "; output:\n" + output);
        }
        return output;
    }
}
