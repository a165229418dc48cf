package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's WebSocket example compiles against the API as a plugin module, is found by
 * ServiceLoader, is mounted with --ws-endpoint, and relays a message to every session.
 */
class ReadmeWebSocketExampleTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void readmeChatEndpointIsFoundMountedAndRelaysToEverySession(@TempDir Path dir) throws Exception {
        Path jar = HandlerModules.readmeExample(dir, "WebSocket", "chat", "com/example/chat/ChatEndpoint.java");

        ServerProcess server = servers.launch(List.of(ServerProcess.bin().resolve("server").toString(),
                "--port", "0", "--worker", "1", "--ws-endpoint", "chat"), Map.of("STARLING_MODULE_PATH", jar.toString()));
        server.awaitServing(java.time.Duration.ofSeconds(60));
        try (WebSocketClient ada = WebSocketClient.connect("127.0.0.1", server.port(), "/chat");
             WebSocketClient bob = WebSocketClient.connect("127.0.0.1", server.port(), "/chat")) {
            // Bob's session is open once his own message comes back to him.
            bob.sendText("bob here");
            assertEquals("bob here", bob.receiveMessage().text());
            ada.sendText("hello room");
            assertEquals("hello room", bob.receiveMessage().text());
        }
    }
}
