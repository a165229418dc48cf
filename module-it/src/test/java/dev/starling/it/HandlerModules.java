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
        Path src = dir.resolve(name + "-src");
        List<String> javac = new ArrayList<>(List.of(tool("javac"), "--module-path", ServerProcess.lib().toString(),
                "-d", dir.resolve(name + "-classes").toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            javac.add(file.toString());
        }
        run(javac);
        Path jar = dir.resolve(name + ".jar");
        run(List.of(tool("jar"), "--create", "--file", jar.toString(), "-C", dir.resolve(name + "-classes").toString(), "."));
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
        java.lang.Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.get(0) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
    }
}
