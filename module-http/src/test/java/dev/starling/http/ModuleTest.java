package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.internal.Http1Process;
import dev.starling.http.internal.WebSocketProcess;
import dev.starling.http.websocket.WebSocketEndpoint;
import dev.starling.http.websocket.internal.EchoEndpoint;
import dev.starling.http.internal.WelcomeHandler;
import dev.starling.process.Process;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The tests run inside the named module, so its declarations are what they exercise. */
class ModuleTest {

    @Test
    void testsRunInsideTheNamedModule() {
        Module module = getClass().getModule();
        assertTrue(module.isNamed(), "tests ran on the class path, not in module dev.starling.http");
        assertEquals("dev.starling.http", module.getName());
    }

    @Test
    void exportsTheApiPackageOnly() {
        Module module = getClass().getModule();
        assertTrue(module.getDescriptor().exports().stream().anyMatch(e -> e.source().equals("dev.starling.http")));
        assertFalse(module.isExported("dev.starling.http.internal"));
        assertTrue(module.isExported("dev.starling.http.websocket"));
        assertFalse(module.isExported("dev.starling.http.websocket.internal"));
    }

    @Test
    void providesHttp1AndWebSocketProcessesAsProcesses() {
        // We do not `uses` Process ourselves (the server module does), so read the declaration.
        assertTrue(getClass().getModule().getDescriptor().provides().stream().anyMatch(p ->
                p.service().equals(Process.class.getName()) && p.providers().equals(List.of(Http1Process.class.getName(),
                        WebSocketProcess.class.getName()))));
        assertEquals("http1", new Http1Process().name());
        assertEquals("websocket", new WebSocketProcess().name());
    }

    @Test
    void providesTheEchoEndpointThroughServiceLoader() {
        assertTrue(ServiceLoader.load(ModuleLayer.boot(), WebSocketEndpoint.class).stream()
                .anyMatch(p -> p.type() == EchoEndpoint.class));
    }

    @Test
    void providesWelcomeHandlerThroughServiceLoader() {
        assertTrue(ServiceLoader.load(ModuleLayer.boot(), Handler.class).stream()
                .anyMatch(p -> p.type() == WelcomeHandler.class));
    }
}
