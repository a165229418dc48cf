package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager–worker control channel seen from outside: messages travel on a socket of their
 * own, so what a worker prints is only output (passed on with its pid in front); the manager
 * reads its workers without virtual threads; a worker whose manager is killed stops at once.
 */
class WorkerControlTest {

    @TempDir
    static Path jars;

    /** Module {@code test.printer}: handler {@code printer}, which prints the lines that once were the manager's messages. */
    private static Path printer;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compileThePrinter() throws Exception {
        printer = HandlerModules.jar(jars, "printer", Map.of(
                "module-info.java", "module test.printer { requires dev.starling.http;"
                        + " provides dev.starling.http.Handler with test.printer.PrinterHandler; }",
                "test/printer/PrinterHandler.java", """
                        package test.printer;

                        import dev.starling.http.Handler;
                        import dev.starling.http.Request;
                        import dev.starling.http.Response;

                        public final class PrinterHandler implements Handler {
                            @Override public String name() { return "printer"; }

                            @Override public Response handle(Request request) {
                                System.out.println("@starling:retire");
                                System.out.println("@starling:ready");
                                return Response.ok("printed\\n");
                            }
                        }
                        """));
    }

    private static Path plugins(Path dir, Path... jarsToCopy) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("plugins"));
        for (Path jar : jarsToCopy) {
            Files.copy(jar, folder.resolve(jar.getFileName()));
        }
        return folder;
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    @Test
    void whatAPluginPrintsIsPassedOnWithThePidAndNeverTakenForAMessage(@TempDir Path dir) throws Exception {
        ServerProcess server = servers.start(List.of(), "--plugins", plugins(dir, printer).toString(), "--handler", "printer",
                "--port", "0", "--worker", "1", "--timeout-ms", "500");
        List<Long> serving = server.workerPids();
        long pid = serving.get(0);
        for (int i = 0; i < 50; i++) {
            assertEquals("printed\n", HttpExchange.get(server.port(), "/").body());
        }
        server.awaitLogged(Duration.ofSeconds(10), () -> count(server.output(), "[worker " + pid + "] @starling:retire\n") == 50
                        && count(server.output(), "[worker " + pid + "] @starling:ready\n") == 50,
                "the 50 printed pairs of lines in the manager's output, each after [worker " + pid + "]");
        assertEquals(serving, server.workerPids(), "the worker that printed is still the one serving");
        assertFalse(server.output().contains("served its share"), server.output());
        assertTrue(server.output().contains("[worker " + pid + "] "), "worker log lines carry the prefix too");
    }

    @Test
    void aReloadFinishesWhenTheManagersVirtualThreadsHaveTwoCarriers(@TempDir Path dir) throws Exception {
        // With at most two carriers, two blocked readers of worker output would leave none for
        // the readers of the next generation, whose "ready" would then never be heard.
        ServerProcess server = servers.launch(ServerProcess.command(List.of("-Djdk.virtualThreadScheduler.maxPoolSize=2",
                        "-Djdk.virtualThreadScheduler.parallelism=1"), List.of(),
                List.of("--plugins", plugins(dir).toString(), "--port", "0", "--worker", "2", "--timeout-ms", "500")), Map.of());
        server.awaitServing(Duration.ofSeconds(60));
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(30), () -> server.output().contains("reload done; generation 2"),
                "the reload to generation 2 to finish");
    }

    @Test
    void workersStopAtOnceWhenTheManagerIsKilledWhileConnectionsKeepComing() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> workers = server.workerPids();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        // A new connection about every 50 ms: an idle worker would notice its orphaning at an
        // accept deadline, but one that keeps accepting never reaches one.
        Thread client = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                try {
                    if (HttpExchange.get(server.port(), "/", Duration.ofSeconds(2)).status() == 200) {
                        answered.incrementAndGet();
                    }
                } catch (IOException workersGone) {
                    // After the kill the workers stop, and connections fail: that is the point.
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            ServerProcess.await(Duration.ofSeconds(10), () -> answered.get() >= 10, "10 answers before the kill");
            ServerProcess.signal(server.pid(), "KILL");
            ServerProcess.await(Duration.ofMillis(1500), () -> server.liveWorkerPids().isEmpty(),
                    "workers " + workers + " to exit within 1.5 s of their manager's SIGKILL, with connections still coming");
        } finally {
            running.set(false);
            client.join(10_000);
        }
    }

    @Test
    void theControlSocketIsPrivateRefusesAStrangerOnceAndGoesWithTheManager() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--timeout-ms", "500");
        Path socket = Path.of("/dev/shm/starling-" + server.pid() + ".control");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        try (SocketChannel stranger = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stranger.connect(UnixDomainSocketAddress.of(socket));
            stranger.write(ByteBuffer.wrap("ready\n".getBytes(StandardCharsets.UTF_8)));
            stranger.configureBlocking(false);
            try (Selector selector = Selector.open()) {
                stranger.register(selector, SelectionKey.OP_READ);
                assertEquals(1, selector.select(Duration.ofSeconds(5).toMillis()), "the manager did not close the stranger's connection within 5 s");
                assertEquals(-1, stranger.read(ByteBuffer.allocate(16)), "the manager closes the stranger's connection");
            }
        }
        String refused = "an unauthenticated control connection did not begin with 'hello TOKEN'; closed";
        server.awaitLogged(Duration.ofSeconds(5), () -> server.output().contains(refused), "the refusal to be logged");
        assertEquals(1, count(server.output(), refused), server.output());
        assertEquals(200, HttpExchange.get(server.port(), "/").status(), "the worker serves on");
        ServerProcess.signal(server.pid(), "TERM");
        assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.output());
        assertFalse(Files.exists(socket), "the manager removes its control socket when it exits");
    }
}
