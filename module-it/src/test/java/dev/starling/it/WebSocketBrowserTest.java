package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real browser: headless Chromium (Debian's {@code chromium}), driven by Playwright from npm,
 * loads the page the websocket process serves at {@code /}; the page opens a WebSocket to the
 * server, sends a text and a 70,000-byte binary message, checks both echoes and closes with 1000.
 * Playwright is installed from {@code src/test/browser/package-lock.json} into
 * {@code target/browser} on first use ({@code .ci/run} does it beforehand).
 */
class WebSocketBrowserTest {

    private static final Path BROWSER_SOURCES = Path.of("src/test/browser").toAbsolutePath();
    private static final Path BROWSER_DIR = Path.of("target/browser").toAbsolutePath();

    @RegisterExtension
    final Servers servers = new Servers();

    /** Installs playwright-core (only the driver: the browser is the Debian package) unless it is there. */
    private static void installPlaywright() throws Exception {
        if (Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"))) {
            return;
        }
        Files.createDirectories(BROWSER_DIR);
        for (String file : List.of("package.json", "package-lock.json")) {
            Files.copy(BROWSER_SOURCES.resolve(file), BROWSER_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        PeerProgram.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", BROWSER_DIR.toString()), Map.of(),
                Duration.ofMinutes(5)).ok();
    }

    @Test
    void chromiumLoadsTheEchoPageAndItsWebSocketEchoesTextAndBinary() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "the Debian package chromium is needed (.ci/run installs it): apt-get install chromium");
        installPlaywright();
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--process", "websocket");
        String out = PeerProgram.run(List.of("node", BROWSER_SOURCES.resolve("echo-page.js").toString(),
                        "http://127.0.0.1:" + server.port() + "/"),
                Map.of("NODE_PATH", BROWSER_DIR.resolve("node_modules").toString()), Duration.ofMinutes(3)).ok();
        List<String> lines = out.lines().filter(l -> !l.startsWith("console:") && !l.isBlank()).toList();
        assertEquals(List.of("PASS", "closed 1000"), lines, out);
    }

    static {
        // Fail early with the reason when the test runs outside Maven's module-it directory.
        if (!Files.isDirectory(BROWSER_SOURCES)) {
            throw new IllegalStateException(new IOException("no " + BROWSER_SOURCES + ": run the test from module-it"));
        }
    }
}
