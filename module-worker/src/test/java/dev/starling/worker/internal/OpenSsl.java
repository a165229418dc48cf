package dev.starling.worker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code openssl} command in a folder: keys and certificates are made at test time, never committed. */
record OpenSsl(Path dir) {

    /** Runs {@code openssl ARGS} in {@link #dir}; fails with its output unless it exits 0. */
    void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        java.lang.Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
        }
    }

    /** A self-signed certificate {@code name}.pem for the key {@code key} (any format openssl reads), CN=localhost. */
    Path selfSigned(String key, String name) throws IOException, InterruptedException {
        run("req", "-x509", "-new", "-key", key, "-out", name + ".pem", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return dir.resolve(name + ".pem");
    }

    Path file(String name) {
        return dir.resolve(name);
    }
}
