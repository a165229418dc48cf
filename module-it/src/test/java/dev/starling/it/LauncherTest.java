package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** bin/server as a new user runs it: it finds a JDK >= 21 itself and does not rebuild what is built. */
class LauncherTest {

    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    @RegisterExtension
    final Servers servers = new Servers();

    private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(ServerProcess.bin().resolve("server"), env, args);
    }

    private static Result run(Path launcher, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        java.lang.Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/server " + String.join(" ", args) + " did not finish; output: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int status, String output) {
    }

    @Test
    void findsANewEnoughJdkWhenJavaHomeIsOlder() throws Exception {
        assumeTrue(Files.isDirectory(JDK17), "needs the machine's JDK 17 to play the too-old default");
        Result r = run(Map.of("JAVA_HOME", JDK17.toString(), "PATH", JDK17.resolve("bin") + ":/usr/bin:/bin"), "--version");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().matches("starling \\S+\\n"), "only the version, no build line: " + r.output());
    }

    @Test
    void buildsOnFirstRunSayingSoInOneLineThenNotAgain(@TempDir Path checkout) throws Exception {
        Path repo = ServerProcess.bin().getParent();
        // A fresh checkout: the sources and the launcher, no target folders.
        try (var files = Files.walk(repo)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = repo.relativize(f);
                String first = rel.getName(0).toString();
                boolean wanted = rel.toString().equals("pom.xml") || first.equals("bin")
                        || (first.startsWith("module-") && rel.getNameCount() > 1
                            && (rel.getName(1).toString().equals("src") || rel.getName(1).toString().equals("pom.xml")));
                if (wanted) {
                    Files.createDirectories(checkout.resolve(rel).getParent());
                    Files.copy(f, checkout.resolve(rel), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Result first = run(checkout.resolve("bin/server"), Map.of(), "--version");
        assertEquals(0, first.status(), first.output());
        String[] lines = first.output().split("\n");
        assertEquals(2, lines.length, first.output());
        assertTrue(lines[0].startsWith("starling: building with "), lines[0]);
        assertTrue(lines[1].startsWith("starling "), lines[1]);

        Result second = run(checkout.resolve("bin/server"), Map.of(), "--version");
        assertEquals(lines[1] + "\n", second.output(), "the second start does not build again");
    }

    @Test
    void saysHowToFixAMissingJdk(@TempDir Path emptyJvmDir) throws Exception {
        Result r = run(Map.of("JAVA_HOME", "", "STARLING_JVM_DIR", emptyJvmDir.toString(), "PATH", "/usr/bin:/bin"), "--version");
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().startsWith("starling: no JDK 21 or newer found"), r.output());
        assertTrue(r.output().contains("point JAVA_HOME at it"), r.output());
    }

    @Test
    void aBadFlagNamesTheFlagAndExitsTwo() throws Exception {
        Result r = run(Map.of(), "--worker", "0");
        assertEquals(2, r.status(), r.output());
        assertEquals("server: --worker must be between 1 and 1024, was 0 (see server --help)\n", r.output());
    }

    @Test
    void servesOn8080WithOneWorkerPerCoreWhenGivenNoFlags() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080));
        } catch (IOException inUse) {
            assumeTrue(false, "port 8080 is taken on this machine");
        }
        ServerProcess server = servers.launch(List.of(ServerProcess.bin().resolve("server").toString()), Map.of());
        server.awaitServing(Duration.ofSeconds(60));
        assertEquals(8080, server.port());
        assertEquals(Runtime.getRuntime().availableProcessors(), server.workerPids().size(), server.output());
        HttpExchange response = HttpExchange.get(8080, "/");
        assertEquals(200, response.status());
        assertTrue(server.workerPids().contains(response.workerPid()));
        if (Runtime.version().feature() >= 25) {
            String worker = ProcessHandle.of(response.workerPid()).flatMap(h -> h.info().commandLine()).orElse("");
            assertTrue(worker.contains("-XX:AOTCache="), "the build trains an AOT cache the workers use: " + worker);
            assertFalse(server.output().contains("[error"), "the JVM accepted the cache:\n" + server.output());
        }
        ServerProcess.signal(server.pid(), "TERM");
        assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.output());
    }
}
