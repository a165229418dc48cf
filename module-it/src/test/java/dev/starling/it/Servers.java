package dev.starling.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers one test starts, each killed with all its workers after the test whatever its
 * outcome: {@code @RegisterExtension final Servers servers = new Servers();}.
 */
final class Servers implements AfterEachCallback {

    private final List<ServerProcess> started = new ArrayList<>();

    /** Starts {@code server} with {@code flags} and waits until it serves. */
    ServerProcess start(String... flags) throws IOException {
        return track(ServerProcess.start(flags));
    }

    /** Starts {@code server} with handler modules on its module path, and waits until it serves. */
    ServerProcess start(List<java.nio.file.Path> modules, String... flags) throws IOException {
        ServerProcess server = track(ServerProcess.launch(ServerProcess.command(modules, List.of(flags)), Map.of()));
        server.awaitServing(java.time.Duration.ofSeconds(60));
        return server;
    }

    /** Starts {@code server} with {@code flags} without waiting. */
    ServerProcess launch(String... flags) throws IOException {
        return track(ServerProcess.launch(flags));
    }

    /** Starts {@code command} (e.g. bin/server) with extra environment variables, without waiting. */
    ServerProcess launch(List<String> command, Map<String, String> env) throws IOException {
        return track(ServerProcess.launch(command, env));
    }

    private ServerProcess track(ServerProcess server) {
        started.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        AssertionError failure = null;
        for (ServerProcess server : started) {
            try {
                server.close();
            } catch (AssertionError | RuntimeException e) {
                if (failure == null) {
                    failure = new AssertionError("cleaning up the servers failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
