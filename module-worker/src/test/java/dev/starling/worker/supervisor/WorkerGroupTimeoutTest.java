package dev.starling.worker.supervisor;

import dev.starling.worker.Listener;
import dev.starling.worker.WorkerConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request and send timeouts end one exchange or one connection, never the group, and
 * measure progress, not length. Real loopback sockets. Each exchange starts with one byte
 * from the client that says what the service does (see {@link #SERVICE}).
 */
class WorkerGroupTimeoutTest {

    private static final int BIG = 64 << 20;
    private static final int PACED = 12 << 20;

    /** Ends the exchanges that ignore interrupts ({@code i}). */
    private static volatile java.util.concurrent.CountDownLatch releaseIgnoring = new java.util.concurrent.CountDownLatch(1);

    /**
     * Per exchange, by its first byte: {@code e} echoes it; {@code s} sleeps a minute and, if
     * interrupted by a timeout, answers {@code T}; {@code i} ignores interrupts until the test
     * releases it; {@code d} drips 8 bytes, one per 150 ms; {@code b} writes 64 MiB; {@code p} writes 12 MiB;
     * {@code w} answers, turns idle as a WebSocket session does, and echoes the next byte.
     */
    private static final StreamService SERVICE = c -> {
        ByteBuffer in = ByteBuffer.allocate(1);
        while (true) {
            c.idle();
            if (c.read(in.clear()) < 0) {
                return;
            }
            c.busy();
            byte what = in.get(0);
            try {
                switch (what) {
                    case 'e' -> c.write(in.flip());
                    case 's' -> Thread.sleep(60_000);
                    case 'i' -> {
                        while (true) {
                            try {
                                if (releaseIgnoring.await(30, TimeUnit.SECONDS)) {
                                    break;
                                }
                            } catch (InterruptedException ignored) {
                                // application code that swallows the interrupt
                            }
                        }
                        c.write(in.flip());
                    }
                    case 'd' -> {
                        for (int i = 0; i < 8; i++) {
                            Thread.sleep(150); // the application's own pace, slower than nothing, faster than the timeout
                            c.write(ByteBuffer.wrap(new byte[] {(byte) ('0' + i)}));
                        }
                    }
                    case 'b' -> c.write(ByteBuffer.allocate(BIG));
                    case 'p' -> c.write(ByteBuffer.allocate(PACED));
                    case 'w' -> {
                        c.write(in.flip());
                        c.idle();
                        if (c.read(in.clear()) > 0) {
                            c.write(in.flip());
                        }
                    }
                    default -> throw new IOException("unknown exchange " + (char) what);
                }
            } catch (InterruptedException e) {
                if (c.exchangeTimedOut()) {
                    c.write(ByteBuffer.wrap(new byte[] {'T'}));
                }
                return;
            }
        }
    };

    private WorkerGroup group;
    private CompletableFuture<Boolean> done;

    private Listener start(Duration request, Duration send) throws IOException {
        Listener listener = TcpWorkerTest.tcp().bind(new WorkerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16,
                WorkerConfig.ListenMode.REUSEPORT));
        group = new WorkerGroup(List.of(listener), SERVICE, Duration.ofMillis(200), Duration.ofSeconds(5), () -> true,
                Integer.MAX_VALUE, 0, () -> { }, WorkerGroup.Datagrams.NONE, new ConnectionTimeouts(request, send));
        done = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                done.complete(group.run());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return listener;
    }

    @AfterEach
    void drainTheGroup() throws Exception {
        if (group != null) {
            group.drain();
            assertTrue(done.get(10, TimeUnit.SECONDS), "the group drained: the timeouts ended connections, not the group");
        }
    }

    private static Socket connect(Listener listener) throws IOException {
        Socket s = new Socket();
        s.connect(listener.localAddress(), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static int exchange(Socket s, char what) throws IOException {
        s.getOutputStream().write(what);
        return s.getInputStream().read();
    }

    @Test
    void anExchangeWithoutProgressEndsAloneAndItsProtocolIsTold() throws Exception {
        Listener listener = start(Duration.ofMillis(300), Duration.ZERO);
        try (Socket stuck = connect(listener); Socket other = connect(listener)) {
            assertEquals('e', exchange(other, 'e'));
            stuck.getOutputStream().write('s');
            assertEquals('T', stuck.getInputStream().read(), "the sleeping exchange was interrupted and told it timed out");
            assertEquals(-1, stuck.getInputStream().read(), "then its connection ended");
            assertEquals('e', exchange(other, 'e'), "the other connection goes on");
            assertEquals(1, group.stats().requestTimeouts());
            try (Socket next = connect(listener)) {
                assertEquals('e', exchange(next, 'e'), "and the group accepts");
            }
        }
    }

    @Test
    void anExchangeThatIgnoresTheInterruptLosesItsConnectionAfterAShortGrace() throws Exception {
        Listener listener = start(Duration.ofMillis(300), Duration.ZERO);
        releaseIgnoring = new java.util.concurrent.CountDownLatch(1);
        try (Socket stuck = connect(listener)) {
            long start = System.nanoTime();
            stuck.getOutputStream().write('i');
            assertEquals(-1, stuck.getInputStream().read(), "closed although its code never ends");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            long most = 300 + GroupWatch.TIMED_OUT_GRACE.toMillis() + 2 * 100 + 500; // timeout, grace, two checks, slack
            assertTrue(tookMillis < most, "closed after " + tookMillis + " ms, not within " + most);
            assertEquals(1, group.stats().requestTimeouts());
        } finally {
            releaseIgnoring.countDown(); // its late write then fails on the closed connection
        }
    }

    @Test
    void aResponseThatKeepsSendingOutlivesTheRequestTimeout() throws Exception {
        Listener listener = start(Duration.ofMillis(400), Duration.ZERO);
        try (Socket drip = connect(listener)) {
            drip.getOutputStream().write('d');
            byte[] got = drip.getInputStream().readNBytes(8); // 1.2 s in all, 150 ms apart
            assertEquals("01234567", new String(got, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals('e', exchange(drip, 'e'), "the connection goes on after it");
            assertEquals(0, group.stats().requestTimeouts());
        }
    }

    @Test
    void anIdleConnectionIsNotTimedEvenWhileItsProtocolWaits() throws Exception {
        Listener listener = start(Duration.ofMillis(200), Duration.ofMillis(200));
        try (Socket session = connect(listener)) {
            assertEquals('w', exchange(session, 'w'));
            // Idle, as a WebSocket session between messages; outlast both timeouts by far.
            long until = System.nanoTime() + Duration.ofMillis(1000).toNanos();
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            assertEquals('x', exchange(session, 'x'), "the session is still there");
            assertEquals(0, group.stats().requestTimeouts());
        }
    }

    @Test
    void aWriteToAClientThatStoppedReadingClosesThatConnectionOnly() throws Exception {
        Listener listener = start(Duration.ofSeconds(60), Duration.ofMillis(300));
        try (Socket deaf = connect(listener); Socket other = connect(listener)) {
            deaf.getOutputStream().write('b'); // 64 MiB; this client reads none of it
            WorkerGroupTest.ServerWaits.until(() -> group.stats().sendTimeouts() == 1);
            WorkerGroupTest.ServerWaits.until(() -> group.openConnections() == 1);
            assertEquals('e', exchange(other, 'e'), "the other connection goes on");
            InputStream in = deaf.getInputStream();
            long received = 0;
            try {
                for (int n; (n = in.read(new byte[1 << 16])) > 0; ) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // closed with bytes unsent: the kernel may reset rather than end the stream
            }
            assertTrue(received < BIG, "the write was cut, " + received + " of " + BIG + " bytes arrived");
            assertEquals(0, group.stats().requestTimeouts());
        }
    }

    /**
     * The kernel wakes a blocked sender only once a third of its send buffer (up to 4 MiB here)
     * is free, so the client must read faster than that per timeout for its progress to be
     * seen at all: 3 MB/s against one-second timeouts, the shortest the flags allow.
     */
    @Test
    void aSlowClientThatKeepsReadingIsNeverCut() throws Exception {
        Listener listener = start(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(32 * 1024);
            slow.connect(listener.localAddress(), 2000);
            slow.setSoTimeout(10_000);
            slow.getOutputStream().write('p');
            InputStream in = slow.getInputStream();
            byte[] buffer = new byte[32 * 1024];
            long received = 0;
            long start = System.nanoTime();
            while (received < PACED) {
                int n = in.read(buffer);
                assertTrue(n > 0, "the stream ended after " + received + " bytes");
                received += n;
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // the client's pace: about 3 MB/s
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis > 2_500, "the transfer took " + tookMillis + " ms: too fast to outlast the timeouts");
            assertEquals('e', exchange(slow, 'e'), "the connection goes on after it");
            assertEquals(0, group.stats().sendTimeouts());
            assertEquals(0, group.stats().requestTimeouts());
        }
    }
}
