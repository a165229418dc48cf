package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Compiles handler modules the way a user would (javac against the distribution, then jar), for tests. */
final class HandlerModules {

    private HandlerModules() {
    }

    /**
     * Compiles the first {@code java} block under the README heading {@code section} into
     * {@code dir}/NAME.jar: the block holds {@code // module-info.java}, the module declaration, then
     * {@code // SOURCE} (a path under the source root) and that class.
     */
    static Path readmeExample(Path dir, String section, String name, String source) throws IOException, InterruptedException {
        String readme = Files.readString(ServerProcess.bin().resolve("../README.md").normalize());
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?s)## " + java.util.regex.Pattern.quote(section)
                + "\\n.*?```java\\n(.*?)```").matcher(readme);
        assertTrue(block.find(), "README has a java block under '" + section + "'");
        String[] parts = block.group(1).split("(?m)^// " + java.util.regex.Pattern.quote(source) + "\\n");
        assertEquals(2, parts.length, "the block holds module-info.java, then " + source);
        return jar(dir, name, Map.of("module-info.java", parts[0].replace("// module-info.java\n", ""), source, parts[1]));
    }

    /**
     * Compiles {@code sources} (path relative to the source root → text, including
     * module-info.java) into {@code dir}/NAME.jar.
     */
    static Path jar(Path dir, String name, Map<String, String> sources) throws IOException, InterruptedException {
        return jar(dir, name, sources, List.of());
    }

    /**
     * Compiles {@code sources} into {@code dir}/NAME.jar against the distribution and
     * {@code modules}. Files not ending in {@code .java} (e.g. {@code META-INF/services/...})
     * go into the jar as they are. Without a module-info.java the jar is a plain one, compiled
     * with {@code dev.starling.http} readable.
     */
    static Path jar(Path dir, String name, Map<String, String> sources, List<Path> modules) throws IOException, InterruptedException {
        Path src = dir.resolve(name + "-src");
        Path classes = dir.resolve(name + "-classes");
        StringBuilder modulePath = new StringBuilder(ServerProcess.lib().toString());
        modules.forEach(m -> modulePath.append(java.io.File.pathSeparator).append(m));
        List<String> javac = new ArrayList<>(List.of(tool("javac"), "--module-path", modulePath.toString(), "-d", classes.toString()));
        if (!sources.containsKey("module-info.java")) {
            javac.addAll(List.of("--add-modules", "dev.starling.http"));
        }
        for (Map.Entry<String, String> source : sources.entrySet()) {
            boolean java = source.getKey().endsWith(".java");
            Path file = (java ? src : classes).resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            if (java) {
                javac.add(file.toString());
            }
        }
        run(javac);
        Path jar = dir.resolve(name + ".jar");
        run(List.of(tool("jar"), "--create", "--file", jar.toString(), "-C", classes.toString(), "."));
        return jar;
    }

    /** A handler named {@code sleep} that answers after {@code ?ms=N} milliseconds. */
    static Path sleepHandler(Path dir) throws IOException, InterruptedException {
        return jar(dir, "sleep", Map.of(
                "module-info.java", """
                        module test.sleep {
                            requires dev.starling.http;
                            provides dev.starling.http.Handler with test.sleep.SleepHandler;
                        }
                        """,
                "test/sleep/SleepHandler.java", """
                        package test.sleep;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;

                        public final class SleepHandler implements Handler {
                            @Override public String name() { return "sleep"; }

                            @Override public Response handle(Request request) throws InterruptedException {
                                long ms = Long.parseLong(request.query().first("ms").orElse("0"));
                                Thread.sleep(ms);
                                return Response.ok("slept " + ms + " ms in " + ProcessHandle.current().pid() + "\\n")
                                        .withHeader("X-Worker-Pid", Long.toString(ProcessHandle.current().pid()));
                            }
                        }
                        """));
    }

    private static String tool(String name) {
        return Path.of(ServerProcess.java()).resolveSibling(name).toString();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        run(command, Map.of(), 60);
    }

    /** Runs {@code command} with extra environment variables; fails with its output unless it exits 0 within the time. */
    static void run(List<String> command, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        java.lang.Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), command.get(0) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
    }
}
