package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/hello-plugin} end to end: built with Maven as its user would, dropped into a
 * plugins folder, served, then replaced by a new version of its code with SIGHUP while clients
 * keep asking, without a failed request.
 */
class HelloPluginExampleTest {

    private static final int CLIENTS = 2;

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void theExampleBuildsServesAndIsReplacedOnSighupWithoutAFailedRequest(@TempDir Path dir) throws Exception {
        Path built = ExamplePluginBuild.build(dir);
        Path nextVersion = ExamplePluginBuild.variant(dir, "hello-next", "GREETING = \"Hello\"", "GREETING = \"Howdy\"");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = Files.copy(built, plugins.resolve("hello.jar"));
        ServerProcess server = servers.start(List.of(), "--plugins", plugins.toString(), "--handler", "hello",
                "--port", "0", "--worker", "2", "--timeout-ms", "500");

        String greeting = curl(server, "/hello/Ada?greeting=Good%20day");
        assertTrue(greeting.startsWith("HTTP/1.1 200 OK\r\n"), greeting);
        assertTrue(greeting.contains("\r\nContent-Type: application/json\r\n"), greeting);
        assertTrue(greeting.matches("(?s).*\r\n\r\n\\{\"greeting\":\"Good day, Ada!\",\"name\":\"Ada\",\"pid\":\\d+}\n"), greeting);
        String count = curl(server, "/count/2500");
        assertTrue(count.contains("\r\nTransfer-Encoding: chunked\r\n"), count);
        assertTrue(count.endsWith("\r\n\r\n" + IntStream.rangeClosed(1, 2500).mapToObj(i -> i + "\n").collect(Collectors.joining())),
                count.substring(0, Math.min(400, count.length())));
        assertTrue(curl(server, "/nowhere").startsWith("HTTP/1.1 404 "), "the plugin's router answers 404");
        assertTrue(HttpExchange.get(server.port(), "/hello/Ada").body().contains("\"Hello, Ada!\""));

        // Deploy the next version as the README says: copy under a hidden name, rename over the old jar.
        Path staged = Files.copy(nextVersion, plugins.resolve(".hello.jar.new"));
        Files.move(staged, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        AtomicLong firstNewAnswer = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = IntStream.range(0, CLIENTS).mapToObj(i -> Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    HttpExchange response = HttpExchange.get(server.port(), "/hello/Ada");
                    if (response.status() != 200) {
                        failures.add("status " + response.status() + ": " + response.body());
                    } else if (response.body().contains("\"Howdy, Ada!\"")) {
                        firstNewAnswer.compareAndSet(0, System.nanoTime());
                    } else if (!response.body().contains("\"Hello, Ada!\"")) {
                        failures.add("unexpected body: " + response.body());
                    }
                    answered.incrementAndGet();
                } catch (IOException e) {
                    failures.add(e.toString());
                }
            }
        })).toList();
        try {
            server.awaitLogged(Duration.ofSeconds(10), () -> answered.get() >= 20, "the clients to be answered");
            long hup = System.nanoTime();
            ServerProcess.signal(server.pid(), "HUP");
            server.awaitLogged(Duration.ofSeconds(60), () -> firstNewAnswer.get() != 0, "an answer from the new plugin code");
            long millis = TimeUnit.NANOSECONDS.toMillis(firstNewAnswer.get() - hup);
            server.awaitLogged(Duration.ofSeconds(30), () -> server.output().contains("reload done; generation 2"),
                    "the reload to finish");
            int atReloadDone = answered.get();
            server.awaitLogged(Duration.ofSeconds(10), () -> answered.get() >= atReloadDone + 20, "answers after the reload");
            System.out.println("hello-plugin reload: SIGHUP to the first answer from the new code " + millis + " ms; "
                    + answered.get() + " requests during the swap, " + failures.size() + " failed");
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
        assertEquals(List.of(), List.copyOf(failures), "failed requests while the plugin was replaced");
        for (int i = 0; i < 10; i++) {
            assertTrue(HttpExchange.get(server.port(), "/hello/Ada").body().contains("\"Howdy, Ada!\""),
                    "every worker serves the new code once the reload is done");
        }
    }

    private static String curl(ServerProcess server, String path) throws IOException, InterruptedException {
        java.lang.Process curl = new ProcessBuilder("curl", "-sS", "-i", "--max-time", "10",
                "http://127.0.0.1:" + server.port() + path).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), out);
        return out;
    }
}
