package dev.starling.worker.supervisor;

import dev.starling.worker.Listener;
import dev.starling.worker.WorkerConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Connection;
import dev.starling.process.StreamService;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Accepting, serving and draining inside one worker process, over real sockets. */
class WorkerGroupTest {

    /** Answers each byte with the same byte, marking itself busy until it has answered: a one-byte "exchange". */
    private static final StreamService ONE_BYTE_EXCHANGES = c -> {
        ByteBuffer b = ByteBuffer.allocate(1);
        while (true) {
            c.idle();
            b.clear();
            if (c.read(b) < 0) {
                return;
            }
            c.busy();
            b.flip();
            c.write(b);
        }
    };

    private static Listener bind() throws IOException {
        return TcpWorkerTest.tcp().bind(new WorkerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, WorkerConfig.ListenMode.REUSEPORT));
    }

    private static CompletableFuture<Boolean> runAsync(WorkerGroup group) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(group.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Test
    void drainEndsIdleConnectionsAndReturnsTrue() throws Exception {
        Listener listener = bind();
        WorkerGroup group = new WorkerGroup(List.of(listener), ONE_BYTE_EXCHANGES, Duration.ofMillis(50), Duration.ofSeconds(10), () -> true);
        CompletableFuture<Boolean> done = runAsync(group);
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            client.getOutputStream().write('a');
            assertEquals('a', client.getInputStream().read());
            group.drain();
            assertEquals(-1, client.getInputStream().read(), "the idle connection is closed by the drain");
        }
        assertTrue(done.get(5, TimeUnit.SECONDS));
        assertEquals(0, group.openConnections());
    }

    @Test
    void drainWaitsForABusyConnectionToFinish() throws Exception {
        Listener listener = bind();
        CompletableFuture<Void> release = new CompletableFuture<>();
        StreamService slow = c -> {
            ByteBuffer b = ByteBuffer.allocate(1);
            c.read(b);
            c.busy();
            release.join();
            b.flip();
            c.write(b);
        };
        WorkerGroup group = new WorkerGroup(List.of(listener), slow, Duration.ofMillis(50), Duration.ofSeconds(10), () -> true);
        CompletableFuture<Boolean> done = runAsync(group);
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            client.getOutputStream().write('z');
            ServerWaits.until(() -> group.openConnections() == 1);
            Thread.sleep(50);
            group.drain();
            Thread.sleep(200);
            assertFalse(done.isDone(), "the group waits for the busy connection");
            release.complete(null);
            InputStream in = client.getInputStream();
            assertEquals('z', in.read(), "the busy exchange completed");
        }
        assertTrue(done.get(5, TimeUnit.SECONDS));
    }

    @Test
    void drainKeepsAFreshConnectionUntilItsFirstExchange() throws Exception {
        Listener listener = bind();
        WorkerGroup group = new WorkerGroup(List.of(listener), ONE_BYTE_EXCHANGES, Duration.ofMillis(50), Duration.ofSeconds(10), () -> true);
        CompletableFuture<Boolean> done = runAsync(group);
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            ServerWaits.until(() -> group.openConnections() == 1);
            group.drain();
            Thread.sleep(100);
            client.getOutputStream().write('q');
            assertEquals('q', client.getInputStream().read(), "the kernel accepted it, so its first request is served");
            assertEquals(-1, client.getInputStream().read(), "then it is closed");
        }
        assertTrue(done.get(5, TimeUnit.SECONDS));
    }

    @Test
    void gracefulTimeoutClosesConnectionsThatDoNotFinish() throws Exception {
        Listener listener = bind();
        StreamService stuck = c -> {
            c.read(ByteBuffer.allocate(1));
            c.busy();
            c.read(ByteBuffer.allocate(1)); // waits for a byte that never comes
        };
        WorkerGroup group = new WorkerGroup(List.of(listener), stuck, Duration.ofMillis(50), Duration.ofMillis(300), () -> true);
        CompletableFuture<Boolean> done = runAsync(group);
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            client.getOutputStream().write('x');
            ServerWaits.until(() -> group.openConnections() == 1);
            group.drain();
            assertTrue(done.get(5, TimeUnit.SECONDS));
            assertEquals(-1, client.getInputStream().read(), "closed after the graceful timeout");
        }
    }

    @Test
    void endsWithinOneAcceptDeadlineWhenToldToStopServing() throws Exception {
        Listener listener = bind();
        boolean[] managerAlive = {true};
        WorkerGroup group = new WorkerGroup(List.of(listener), ONE_BYTE_EXCHANGES, Duration.ofMillis(100), Duration.ofSeconds(10),
                () -> managerAlive[0]);
        CompletableFuture<Boolean> done = runAsync(group);
        Thread.sleep(150);
        managerAlive[0] = false;
        assertFalse(done.get(2, TimeUnit.SECONDS), "abandoned, not drained");
    }

    /**
     * An orphaned worker under traffic: its accepts never reach their deadline, yet it must ask
     * whether to go on every accept deadline, and end within one of being told no.
     */
    @Test
    void endsWithinOneAcceptDeadlineWhenToldToStopServingWhileClientsKeepConnecting() throws Exception {
        Listener listener = bind();
        Duration acceptTimeout = Duration.ofMillis(200);
        java.util.concurrent.atomic.AtomicBoolean managerAlive = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        WorkerGroup group = new WorkerGroup(List.of(listener), ONE_BYTE_EXCHANGES, acceptTimeout, Duration.ofSeconds(10),
                managerAlive::get);
        CompletableFuture<Boolean> done = runAsync(group);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        // A new connection every few milliseconds, far more often than the accept deadline.
        Thread clients = Thread.ofPlatform().name("client").start(() -> {
            while (!stop.get()) {
                try (Socket s = new Socket()) {
                    s.connect(listener.localAddress(), 2000);
                    s.setSoTimeout(2000);
                    s.getOutputStream().write('c');
                    if (s.getInputStream().read() == 'c') {
                        answered.incrementAndGet();
                    }
                    Thread.sleep(5); // pacing the load, not waiting for anything
                } catch (IOException | InterruptedException goneOnceAbandoned) {
                    // the group closed the listener or the connection: keep trying until told to stop
                }
            }
        });
        try {
            ServerWaits.until(() -> answered.get() >= 20);
            long orphaned = System.nanoTime();
            managerAlive.set(false);
            Boolean graceful = done.get(10, TimeUnit.SECONDS);
            long tookMillis = (System.nanoTime() - orphaned) / 1_000_000;
            assertFalse(graceful, "abandoned, not drained");
            assertTrue(tookMillis < acceptTimeout.toMillis() + 800, "run() returned " + tookMillis
                    + " ms after keepServing turned false, under traffic (accept deadline " + acceptTimeout.toMillis() + " ms)");
        } finally {
            stop.set(true);
            clients.join(5000);
        }
    }

    /**
     * One group holds thousands of idle connections at once (one virtual thread each), still
     * serves any of them, and a drain ends them all. Both ends live in this JVM, so it needs
     * twice as many descriptors: the count stays under this process's limit, never raised.
     */
    @Test
    void holdsThreeThousandIdleConnections() throws Exception {
        int count = (int) Math.min(3000, (openFileLimit() - 100) / 2);
        Listener listener = TcpWorkerTest.tcp().bind(new WorkerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                1024, WorkerConfig.ListenMode.REUSEPORT));
        WorkerGroup group = new WorkerGroup(List.of(listener), ONE_BYTE_EXCHANGES, Duration.ofMillis(200), Duration.ofSeconds(10),
                () -> true);
        CompletableFuture<Boolean> done = runAsync(group);
        List<Socket> clients = new java.util.ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket();
                s.connect(listener.localAddress(), 5000);
                s.setSoTimeout(10_000);
                clients.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.openConnections() < count) {
                assertTrue(System.nanoTime() < deadline, "the group took " + group.openConnections() + " of " + count
                        + " connections within 30 s");
                Thread.sleep(10);
            }
            for (int i : new int[] {0, count / 2, count - 1}) {
                Socket s = clients.get(i);
                s.getOutputStream().write('h');
                assertEquals('h', s.getInputStream().read(), "connection " + i + " of " + count + " is served");
            }
            assertEquals(count, group.openConnections(), "all " + count + " are still held");
            group.drain();
            assertTrue(done.get(30, TimeUnit.SECONDS), "drained");
            assertEquals(0, group.openConnections());
            assertEquals(-1, clients.get(count / 3).getInputStream().read(), "an idle connection was ended by the drain");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    /** This process's soft limit on open files, from /proc/self/limits. */
    private static long openFileLimit() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no 'Max open files' line in /proc/self/limits");
    }

    /** A bounded wait for state another thread changes. */
    static final class ServerWaits {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not reached within 5 s");
                }
                Thread.sleep(5);
            }
        }
    }
}
