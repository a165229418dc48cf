package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        Path jar = HandlerModules.jar(dir, "hello", java.util.Map.of(
                "module-info.java", parts[0].replace("// module-info.java\n", ""),
                "com/example/hello/HelloHandler.java", parts[1]));

        ServerProcess server = servers.launch(java.util.List.of(ServerProcess.bin().resolve("server").toString(),
                "--port", "0", "--worker", "1", "--timeout-ms", "500", "--handler", "hello"),
                Map.of("STARLING_MODULE_PATH", jar.toString()));
        server.awaitServing(java.time.Duration.ofSeconds(60));
        HttpExchange response = HttpExchange.get(server.port(), "/?name=Ada");
        assertEquals(200, response.status());
        assertEquals("Hello, Ada!\n", response.body());
    }
}
