package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge-triggered path of {@link TcpConnection} ({@link EdgePoller}, {@link EdgeChannel})
 * over real loopback sockets: each test is a way an edge could be missed, which would leave a
 * connection parked for good.
 */
class EdgePollerTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private ServerSocketChannel server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    /** A client socket and the server's connection for it. */
    private record Pair(Socket client, TcpConnection connection) {
    }

    private Pair connect() throws IOException {
        Socket client = new Socket();
        client.connect(server.getLocalAddress(), 5000);
        client.setSoTimeout(10_000);
        SocketChannel accepted = server.accept();
        TcpConnection connection = new TcpConnection(1, accepted);
        open.add(client);
        open.add(connection);
        return new Pair(client, connection);
    }

    @Test
    void thePollerIsOnWhenTheJdkSharesChannelDescriptors() throws IOException {
        assertNotNull(EdgePoller.get(), "run with --add-exports=java.base/sun.nio.ch=dev.starling.worker, as workers are");
        Pair p = connect();
        assertTrue(p.connection().onEdgePoller());
    }

    @Test
    void theEndAfterTheLastBytesIsReadWithoutAnotherEdge() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            p.client().getOutputStream().write("abc".getBytes());
            p.client().shutdownOutput();
            Thread.sleep(100); // bytes and end both arrive before the first read: their edges come first
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            assertEquals(3, p.connection().read(buffer));
            assertEquals(-1, p.connection().read(buffer));
            assertEquals(-1, p.connection().read(buffer), "the end stays the end");
        });
    }

    @Test
    void aReadAfterAShortOneWaitsForBytesThatComeLater() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            p.client().getOutputStream().write(1);
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            assertEquals(1, p.connection().read(buffer));
            for (int i = 0; i < 50; i++) {
                Future<Integer> later = CompletableFuture.supplyAsync(() -> readQuietly(p.connection(), ByteBuffer.allocate(16)));
                Thread.sleep(i % 5); // sometimes before the read parks, sometimes after
                p.client().getOutputStream().write(new byte[] {1, 2});
                int n = later.get();
                assertTrue(n == 1 || n == 2, "read " + n);
                if (n == 1) {
                    assertEquals(1, p.connection().read(ByteBuffer.allocate(16)));
                }
            }
        });
    }

    @Test
    void aWriteLargerThanTheSocketBuffersFinishesOnceThePeerReads() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            byte[] sent = new byte[8 << 20];
            new Random(7).nextBytes(sent);
            Future<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    p.connection().write(ByteBuffer.wrap(sent, 0, 1000), ByteBuffer.wrap(sent, 1000, sent.length - 1000));
                    p.connection().shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(300); // the writer fills the buffers and parks
            assertArrayEquals(sent, p.client().getInputStream().readAllBytes());
            writing.get();
        });
    }

    @Test
    void aFileLargerThanTheSocketBuffersIsSentWhole(@TempDir Path dir) {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            byte[] content = new byte[6 << 20];
            new Random(8).nextBytes(content);
            Path file = Files.write(dir.resolve("big"), content);
            Future<Long> sending = CompletableFuture.supplyAsync(() -> {
                try (FileChannel f = FileChannel.open(file)) {
                    long n = p.connection().transferFrom(f, 10, content.length);
                    p.connection().shutdownOutput();
                    return n;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(300);
            byte[] received = p.client().getInputStream().readAllBytes();
            assertEquals(content.length - 10, sending.get(), "the file ends before count bytes");
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 10, content.length), received);
        });
    }

    @Test
    void inputPendingSeesBytesNoReadHasTaken() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            assertTrue(!p.connection().inputPending());
            p.client().getOutputStream().write(new byte[] {1, 2, 3});
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!p.connection().inputPending() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(p.connection().inputPending(), "three bytes arrived");
            assertEquals(3, p.connection().read(ByteBuffer.allocate(16)));
            assertTrue(!p.connection().inputPending());
        });
    }

    @Test
    void shuttingInputEndsAParkedRead() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            Future<Integer> parked = CompletableFuture.supplyAsync(() -> readQuietly(p.connection(), ByteBuffer.allocate(16)));
            Thread.sleep(200);
            p.connection().shutdownInput();
            assertEquals(-1, parked.get());
        });
    }

    @Test
    void closingFromAnotherThreadEndsAParkedRead() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    p.connection().read(ByteBuffer.allocate(16));
                } catch (IOException expected) {
                    // AsynchronousCloseException or ClosedChannelException: the read ended
                }
            });
            Thread.sleep(200);
            p.connection().close();
            reader.join();
        });
    }

    @Test
    void aReadTimeoutEndsAParkedRead() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            p.connection().readTimeout(Duration.ofMillis(200));
            assertThrows(SocketTimeoutException.class, () -> p.connection().read(ByteBuffer.allocate(16)));
        });
    }

    @Test
    void closingTwiceLeavesANewConnectionWithTheSameDescriptorAlone() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair first = connect();
            first.connection().close();
            Pair second = connect(); // most likely given the descriptor number just freed
            first.connection().close();
            second.client().getOutputStream().write(new byte[] {9});
            ByteBuffer buffer = ByteBuffer.allocate(4);
            assertEquals(1, second.connection().read(buffer));
            Future<Integer> later = CompletableFuture.supplyAsync(() -> readQuietly(second.connection(), ByteBuffer.allocate(4)));
            Thread.sleep(100);
            second.client().getOutputStream().write(new byte[] {10});
            assertEquals(1, later.get(), "the second connection still gets its edges");
        });
    }

    @Test
    void manyConnectionsEchoInterleavedTrafficWhole() {
        assertTimeoutPreemptively(BOUND, () -> {
            int connections = 64;
            List<Pair> pairs = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                pairs.add(connect());
            }
            List<Thread> echoes = new ArrayList<>();
            for (Pair p : pairs) {
                echoes.add(Thread.ofVirtual().start(() -> {
                    ByteBuffer buffer = ByteBuffer.allocate(1000); // small, so reads both fill it and come back short
                    try {
                        while (p.connection().read(buffer) >= 0) {
                            p.connection().write(buffer.flip());
                            buffer.clear();
                        }
                        p.connection().shutdownOutput();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Pair p = pairs.get(i);
                byte[] sent = new byte[20_000 + i * 997];
                new Random(i).nextBytes(sent);
                clients.add(Thread.ofVirtual().start(() -> {
                    try {
                        Thread writer = Thread.ofVirtual().start(() -> {
                            try {
                                Random split = new Random(sent.length);
                                for (int at = 0; at < sent.length; ) {
                                    int n = Math.min(sent.length - at, 1 + split.nextInt(3000));
                                    p.client().getOutputStream().write(sent, at, n);
                                    at += n;
                                }
                                p.client().shutdownOutput();
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
                        InputStream in = p.client().getInputStream();
                        assertArrayEquals(sent, in.readAllBytes());
                        writer.join();
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            for (Thread t : echoes) {
                t.join();
            }
        });
    }

    // ---- a wait lent to the poller: Connection.read(dst, EventLoopReader)

    /** A waiting read whose reader echoes each arrival back on the poller, until it sees "stop". */
    @Test
    void arrivalsDuringALentWaitAreServedOnThePollerUntilTheReaderLetsGo() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            Future<Integer> waiting = lentRead(p, buffer, n -> {
                threads.add(Thread.currentThread().getName());
                String got = new String(buffer.array(), buffer.position() - n, n, java.nio.charset.StandardCharsets.US_ASCII);
                if (got.equals("stop")) {
                    return false; // left to the waiting thread, in the buffer
                }
                p.connection().write(ByteBuffer.wrap(("echo " + got).getBytes()));
                buffer.clear();
                return true;
            });
            InputStream in = p.client().getInputStream();
            for (String word : List.of("one", "two", "three")) {
                Thread.sleep(30); // one arrival per read
                p.client().getOutputStream().write(word.getBytes());
                assertEquals("echo " + word, new String(in.readNBytes(5 + word.length())));
            }
            assertTrue(!waiting.isDone(), "the waiting read went on waiting");
            Thread.sleep(30);
            p.client().getOutputStream().write("stop".getBytes());
            assertEquals(4, waiting.get());
            assertEquals("stop", new String(buffer.array(), 0, buffer.position()));
            assertEquals(List.of("edge poller", "edge poller", "edge poller", "edge poller"), threads);
        });
    }

    @Test
    void aCloseFromAnotherThreadEndsALentWait() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            Future<Throwable> waiting = lentWait(p, n -> true);
            Thread.sleep(100);
            p.connection().close();
            assertTrue(waiting.get() instanceof java.nio.channels.ClosedChannelException, "ended with " + waiting.get());
        });
    }

    @Test
    void theEndOfInputEndsALentWait() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            ByteBuffer buffer = ByteBuffer.allocate(64);
            Future<Integer> waiting = lentRead(p, buffer, n -> true);
            Thread.sleep(100);
            p.client().shutdownOutput();
            assertEquals(-1, waiting.get());
        });
    }

    @Test
    void whatTheReaderThrowsEndsTheWaitWithIt() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            Future<Throwable> waiting = lentWait(p, n -> {
                throw new IOException("reader failed");
            });
            Thread.sleep(100);
            p.client().getOutputStream().write(1);
            assertEquals("reader failed", waiting.get().getMessage());
        });
    }

    @Test
    void anInterruptEndsALentWaitAsBlockingIoDoes() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    p.connection().read(ByteBuffer.allocate(16), n -> true);
                    ended.complete(null);
                } catch (Throwable t) {
                    ended.complete(t);
                }
            });
            Thread.sleep(100);
            waiter.interrupt();
            assertTrue(ended.get() instanceof java.nio.channels.ClosedByInterruptException, "ended with " + ended.get());
        });
    }

    /**
     * The reader answers a byte with 8 MiB while the peer reads nothing: the poller must not wait
     * for room (it would serve nobody else); the waiting thread is woken to send the rest, then
     * waits again; what the reader writes later arrives after it, whole and in order.
     */
    @Test
    void writesOnThePollerThatTheSocketCannotTakeAreSentByTheWaitingThreadInOrder() {
        assertTimeoutPreemptively(BOUND, () -> {
            Pair p = connect();
            Pair other = connect();
            byte[] big = new byte[8 << 20];
            new Random(11).nextBytes(big);
            ByteBuffer buffer = ByteBuffer.allocate(64);
            List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            Future<Integer> waiting = lentRead(p, buffer, got -> {
                threads.add(Thread.currentThread().getName());
                boolean first = threads.size() == 1;
                p.connection().write(ByteBuffer.wrap(first ? big : "after".getBytes()));
                buffer.clear();
                return first;
            });
            Thread.sleep(50);
            p.client().getOutputStream().write(1);
            // Meanwhile the poller serves another connection as usual.
            Future<Throwable> otherWait = lentWait(other, n -> false);
            Thread.sleep(200);
            other.client().getOutputStream().write(2);
            assertEquals(null, otherWait.get(), "the poller served another connection while the big write was pending");
            assertArrayEquals(big, p.client().getInputStream().readNBytes(big.length));
            Thread.sleep(200); // the waiting thread sent the rest and waits again
            p.client().getOutputStream().write(3);
            assertEquals("after", new String(p.client().getInputStream().readNBytes(5)));
            assertEquals(1, waiting.get());
            assertEquals(List.of("edge poller", "edge poller"), threads);
        });
    }

    /** {@code read(buffer, reader)} on a virtual thread; completes with what it returned. */
    private static Future<Integer> lentRead(Pair p, ByteBuffer buffer, dev.starling.process.Connection.EventLoopReader reader) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return p.connection().read(buffer, reader);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }

    /** A read lent to the poller on a virtual thread; completes with its failure, or null once it returned. */
    private static Future<Throwable> lentWait(Pair p, dev.starling.process.Connection.EventLoopReader reader) {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                p.connection().read(ByteBuffer.allocate(1024), reader);
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        return ended;
    }

    private static int readQuietly(TcpConnection connection, ByteBuffer buffer) {
        try {
            return connection.read(buffer);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
