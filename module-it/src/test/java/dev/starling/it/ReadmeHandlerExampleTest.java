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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The README's "write your own Handler" example compiles against the API and serves, as a user would run it. */
class ReadmeHandlerExampleTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void theReadmeHandlerCompilesAndAnswers(@TempDir Path dir) throws Exception {
        String readme = Files.readString(ServerProcess.bin().resolve("../README.md").normalize());
        Matcher block = Pattern.compile("(?s)## Write your own Handler.*?```java\\n(.*?)```").matcher(readme);
        assertTrue(block.find(), "README has a java block under 'Write your own Handler'");
        String[] parts = block.group(1).split("(?m)^// com/example/hello/HelloHandler.java\\n");
        assertEquals(2, parts.length, "the block holds module-info.java, then HelloHandler.java");
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("com/example/hello"));
        Files.writeString(src.resolve("module-info.java"), parts[0].replace("// module-info.java\n", ""));
        Files.writeString(src.resolve("com/example/hello/HelloHandler.java"), parts[1]);

        Path classes = dir.resolve("classes");
        run(List.of(tool("javac"), "--module-path", ServerProcess.lib().toString(), "-d", classes.toString(),
                src.resolve("module-info.java").toString(), src.resolve("com/example/hello/HelloHandler.java").toString()));
        Path jar = dir.resolve("hello.jar");
        run(List.of(tool("jar"), "--create", "--file", jar.toString(), "-C", classes.toString(), "."));

        ServerProcess server = servers.launch(List.of(ServerProcess.bin().resolve("server").toString(),
                "--port", "0", "--worker", "1", "--timeout-ms", "500", "--handler", "hello"),
                Map.of("STARLING_MODULE_PATH", jar.toString()));
        server.awaitServing(java.time.Duration.ofSeconds(60));
        HttpExchange response = HttpExchange.get(server.port(), "/?name=Ada");
        assertEquals(200, response.status());
        assertEquals("Hello, Ada!\n", response.body());
    }

    private static String tool(String name) {
        return Path.of(ServerProcess.java()).resolveSibling(name).toString();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        java.lang.Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.get(0) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
    }
}
