package dev.starling.worker.supervisor;

import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Connection;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The tcp transport over real loopback sockets. */
class TcpWorkerTest {

    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    static Worker tcp() {
        return ServiceLoader.load(Worker.class).stream().map(ServiceLoader.Provider::get)
                .filter(w -> w.name().equals("tcp")).findFirst().orElseThrow();
    }

    @Test
    void runsInTheNamedModule() {
        assertEquals("dev.starling.worker", getClass().getModule().getName());
    }

    @Test
    void acceptReturnsNullWhenTheDeadlinePasses() throws IOException {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT))) {
            long start = System.nanoTime();
            assertNull(listener.accept(Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(40).toNanos(), "accept waited for the deadline");
        }
    }

    @Test
    void twoListenersShareAPortWithReusePort() throws IOException {
        try (Listener first = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT))) {
            InetSocketAddress bound = (InetSocketAddress) first.localAddress();
            try (Listener second = tcp().bind(new WorkerConfig(bound, 16, WorkerConfig.ListenMode.REUSEPORT))) {
                assertEquals(bound, second.localAddress());
            }
        }
    }

    @Test
    void bindingAPortTakenWithoutReusePortFails() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(ANY_LOOPBACK_PORT);
            InetSocketAddress bound = (InetSocketAddress) taken.getLocalSocketAddress();
            assertThrows(BindException.class, () -> tcp().bind(new WorkerConfig(bound, 16, WorkerConfig.ListenMode.REUSEPORT)).close());
        }
    }

    @Test
    void inheritedModeWithoutAnInheritedSocketSaysSo() {
        IOException e = assertThrows(IOException.class, () -> tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.INHERITED)));
        assertTrue(e.getMessage().startsWith("no listening socket was inherited on standard input"), e.getMessage());
    }

    @Test
    void readsAndWritesOnAnAcceptedConnection() throws IOException {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(2000);
            try (Connection c = listener.accept(Duration.ofSeconds(2))) {
                assertEquals(client.getLocalSocketAddress(), c.remoteAddress());
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                ByteBuffer in = ByteBuffer.allocate(8);
                c.readTimeout(Duration.ofSeconds(2));
                while (in.position() < 4) {
                    c.read(in);
                }
                assertEquals("ping", new String(in.array(), 0, 4, StandardCharsets.US_ASCII));

                c.write(ByteBuffer.wrap("po".getBytes(StandardCharsets.US_ASCII)), ByteBuffer.wrap("ng".getBytes(StandardCharsets.US_ASCII)));
                c.shutdownOutput();
                assertEquals("pong", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void aReadTimeoutEndsReadingButNotWriting() throws Exception {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            try (Connection c = listener.accept(Duration.ofSeconds(2))) {
                c.readTimeout(Duration.ofMillis(100));
                long start = System.nanoTime();
                assertThrows(SocketTimeoutException.class, () -> c.read(ByteBuffer.allocate(8)));
                assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos(), "not before the deadline");
                assertEquals(-1, c.read(ByteBuffer.allocate(8)), "reading is over after a timeout");
                c.write(ByteBuffer.wrap("408".getBytes(StandardCharsets.US_ASCII)));
                c.shutdownOutput();
                assertEquals("408", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void inputPendingTellsWhetherBytesWaitForAReader() throws Exception {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            try (Connection c = listener.accept(Duration.ofSeconds(2))) {
                assertFalse(c.inputPending());
                client.getOutputStream().write('x');
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (!c.inputPending()) {
                    assertTrue(System.nanoTime() < deadline, "the byte never showed as pending");
                    Thread.sleep(5);
                }
                assertEquals(1, c.read(ByteBuffer.allocate(4)));
                assertFalse(c.inputPending(), "nothing pending once read");
            }
        }
    }

    @Test
    void readsWithoutATimeoutWaitForData() throws Exception {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            try (Connection c = listener.accept(Duration.ofSeconds(2))) {
                c.readTimeout(Duration.ofMillis(50));
                c.readTimeout(Duration.ZERO);
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(300);
                        client.getOutputStream().write('x');
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                ByteBuffer in = ByteBuffer.allocate(1);
                assertEquals(1, c.read(in), "no deadline once the timeout is zero again");
            }
        }
    }

    @Test
    void shutdownInputEndsABlockedRead() throws Exception {
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            try (Connection c = listener.accept(Duration.ofSeconds(2))) {
                int[] result = {0};
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        result[0] = c.read(ByteBuffer.allocate(8));
                    } catch (IOException e) {
                        result[0] = -2;
                    }
                });
                Thread.sleep(100);
                c.shutdownInput();
                reader.join(2000);
                assertEquals(-1, result[0], "a blocked read ends with end-of-stream");
            }
        }
    }

    @Test
    void transferFromSendsAFileRangeAfterEarlierWrites(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path file = dir.resolve("data");
        byte[] content = new byte[300_000];
        new java.util.Random(3).nextBytes(content);
        java.nio.file.Files.write(file, content);
        try (Listener listener = tcp().bind(new WorkerConfig(ANY_LOOPBACK_PORT, 16, WorkerConfig.ListenMode.REUSEPORT));
             Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            client.setSoTimeout(5000);
            try (Connection c = listener.accept(Duration.ofSeconds(2));
                 java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        c.write(ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII)));
                        assertEquals(200_000, c.transferFrom(channel, 100_000, 200_000));
                        c.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] received = client.getInputStream().readAllBytes();
                sender.join();
                assertEquals("head", new String(received, 0, 4, StandardCharsets.US_ASCII));
                assertEquals(200_004, received.length);
                assertTrue(java.util.Arrays.equals(content, 100_000, 300_000, received, 4, received.length));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
