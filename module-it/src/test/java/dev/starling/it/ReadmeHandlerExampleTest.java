package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The README's "write your own Handler" example compiles against the API and serves, as a user would run it. */
class ReadmeHandlerExampleTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void theReadmeHandlerCompilesAndAnswers(@TempDir Path dir) throws Exception {
        Path jar = HandlerModules.readmeExample(dir, "Write your own Handler", "hello", "com/example/hello/HelloHandler.java");

        ServerProcess server = servers.launch(java.util.List.of(ServerProcess.bin().resolve("server").toString(),
                "--port", "0", "--worker", "1", "--timeout-ms", "500", "--handler", "hello"),
                Map.of("STARLING_MODULE_PATH", jar.toString()));
        server.awaitServing(java.time.Duration.ofSeconds(60));
        HttpExchange response = HttpExchange.get(server.port(), "/?name=Ada");
        assertEquals(200, response.status());
        assertEquals("Hello, Ada!\n", response.body());
    }
}
