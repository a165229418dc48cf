package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many WebSocket clients at once, and what a reload does to open sessions. */
class WebSocketLoadTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void hundredConcurrentClientsEachEchoAThousandMessagesWithoutLoss() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--process", "websocket");
        // Each client checks that every echo is whole and in order; a hang fails at the deadline.
        FutureTask<WebSocketLoad.Result> load = new FutureTask<>(() ->
                WebSocketLoad.run("127.0.0.1", server.port(), "/", 100, 1000, 64, 4));
        Thread.ofVirtual().start(load);
        WebSocketLoad.Result result;
        try {
            result = load.get(5, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            throw new AssertionError("100 clients x 1000 echoes did not finish within 5 minutes", e);
        } catch (ExecutionException e) {
            throw new AssertionError("a client failed: " + e.getCause() + "; server output:\n" + server.output(), e);
        }
        assertEquals(100_000, result.echoed());
    }

    @Test
    void reloadClosesOpenSessionsWithGoingAway() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--process", "websocket");
        try (WebSocketClient client = WebSocketClient.connect("127.0.0.1", server.port(), "/")) {
            client.sendText("before");
            assertEquals("before", client.receiveMessage().text());
            ServerProcess.signal(server.pid(), "HUP"); // the old worker drains once the new one accepts
            WebSocketClient.Frame close = client.receiveMessage();
            assertEquals(WebSocketClient.CLOSE, close.opcode(), "a close frame, not " + close.text());
            assertEquals(1001, close.closeCode());
        }
        // The new generation serves WebSocket as the old one did.
        try (WebSocketClient client = WebSocketClient.connect("127.0.0.1", server.port(), "/")) {
            client.sendText("after");
            assertEquals("after", client.receiveMessage().text());
        }
        server.awaitLogged(Duration.ofSeconds(30), () -> server.workerPids().size() == 1, "the old worker to exit");
    }
}
