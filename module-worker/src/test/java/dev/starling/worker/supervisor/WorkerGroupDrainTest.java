package dev.starling.worker.supervisor;

import dev.starling.worker.Listener;
import dev.starling.worker.WorkerConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Connection;
import dev.starling.process.StreamService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A drain loses no connection the group took: the races between connections that finish, the
 * sweep of the kernel's queue, and the end of {@link WorkerGroup#run()}. Real sockets; the
 * listener is the tcp transport's, wrapped only to hold an accept at a chosen moment.
 */
class WorkerGroupDrainTest {

    private static Listener bind() throws IOException {
        return TcpWorkerTest.tcp().bind(new WorkerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64,
                WorkerConfig.ListenMode.REUSEPORT));
    }

    /**
     * The tcp listener with hooks: one runs on the first accept after the group started to drain
     * (the sweep of the kernel's queue), one on every such accept; and while {@link #hold} is
     * set, accepts find nothing until the group drains (so connections stay in the kernel's queue).
     */
    private static final class HookedListener implements Listener {
        final Listener real;
        final AtomicReference<WorkerGroup> group = new AtomicReference<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch drainCalled = new CountDownLatch(1);
        volatile boolean hold;
        volatile Runnable onFirstSweepAccept = () -> { };
        volatile Runnable onEverySweepAccept = () -> { };
        private boolean swept;

        HookedListener(Listener real) {
            this.real = real;
        }

        @Override
        public Connection accept(Duration timeout) throws IOException {
            WorkerGroup g = group.get();
            if (hold && !g.isDraining()) {
                holding.countDown();
                try {
                    drainCalled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
                return null; // as if nothing came within the deadline
            }
            if (g.isDraining()) {
                if (!swept) {
                    swept = true;
                    onFirstSweepAccept.run();
                }
                onEverySweepAccept.run();
            }
            return real.accept(timeout);
        }

        @Override
        public SocketAddress localAddress() {
            return real.localAddress();
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    private static CompletableFuture<Boolean> runAsync(WorkerGroup group) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread.ofPlatform().name("run").start(() -> {
            try {
                result.complete(group.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Connection A finishes while the drain sweeps the kernel's queue, and the sweep then takes
     * connection B: the group was empty for a moment, but B is one of its connections and
     * {@code run()} must wait for it, or the process exits with B's request unread (a reset).
     */
    @Test
    void aConnectionTakenInTheSweepAfterTheOthersFinishedIsServedBeforeRunReturns() throws Exception {
        HookedListener listener = new HookedListener(bind());
        CountDownLatch releaseA = new CountDownLatch(1);
        AtomicReference<Thread> threadA = new AtomicReference<>();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        AtomicBoolean runReturnedDuringB = new AtomicBoolean();
        StreamService service = c -> {
            ByteBuffer b = ByteBuffer.allocate(1);
            if (c.read(b) < 0) {
                return;
            }
            c.busy();
            if (b.get(0) == 'a') {
                threadA.set(Thread.currentThread());
                awaitQuietly(releaseA);
            } else {
                // run() must not return while this exchange is open; give it a second to do so wrongly.
                try {
                    done.get(1, TimeUnit.SECONDS);
                    runReturnedDuringB.set(true);
                } catch (TimeoutException expected) {
                    // still running: right
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            c.write(b.flip());
        };
        WorkerGroup group = new WorkerGroup(List.of(listener), service, Duration.ofMillis(50), Duration.ofSeconds(20), () -> true);
        listener.group.set(group);
        listener.onFirstSweepAccept = () -> {
            // A ends completely (its thread, and the group's bookkeeping after it) before B is taken.
            releaseA.countDown();
            try {
                WorkerGroupTest.ServerWaits.until(() -> threadA.get() != null);
                assertTrue(threadA.get().join(Duration.ofSeconds(5)), "connection A's thread ended");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        runAsync(group).whenComplete((r, t) -> {
            if (t != null) {
                done.completeExceptionally(t);
            } else {
                done.complete(r);
            }
        });
        try (Socket a = new Socket(); Socket b = new Socket()) {
            a.connect(listener.localAddress(), 2000);
            a.setSoTimeout(10_000);
            a.getOutputStream().write('a');
            WorkerGroupTest.ServerWaits.until(() -> threadA.get() != null);
            listener.hold = true;
            assertTrue(listener.holding.await(5, TimeUnit.SECONDS), "the acceptor came back for the next connection");
            b.connect(listener.localAddress(), 2000); // completed by the kernel, queued: the sweep takes it
            b.setSoTimeout(10_000);
            b.getOutputStream().write('b');
            group.drain();
            listener.drainCalled.countDown();
            assertEquals('a', a.getInputStream().read(), "connection A was answered");
            assertEquals('b', b.getInputStream().read(), "connection B, taken in the sweep, was answered");
        }
        assertTrue(done.get(10, TimeUnit.SECONDS), "drained");
        assertFalse(runReturnedDuringB.get(), "run() returned while connection B (taken in the sweep) was in its exchange");
    }

    /**
     * Clients that keep connecting while a worker drains (they are sent away with Connection:
     * close and come back at once) cannot keep its sweep of the kernel's queue going forever:
     * the drain ends in bounded time, well before a manager's graceful timeout would kill it.
     * The worst case, made deterministic: every time the sweep looks, a new connection is there.
     */
    @Test
    void theSweepOfTheKernelsQueueEndsWhileClientsKeepConnecting() throws Exception {
        HookedListener listener = new HookedListener(bind());
        AtomicLong connected = new AtomicLong();
        long[] drainStart = {0};
        listener.onEverySweepAccept = () -> {
            if (System.nanoTime() - drainStart[0] < Duration.ofSeconds(5).toNanos()) {
                // Accepted by the kernel, then reset (no TIME_WAIT, no descriptor kept): still one to take.
                try (Socket s = new Socket()) {
                    s.setSoLinger(true, 0);
                    s.connect(listener.localAddress(), 2000);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                connected.incrementAndGet();
            }
        };
        WorkerGroup group = new WorkerGroup(List.of(listener), c -> { }, Duration.ofMillis(50), Duration.ofSeconds(20), () -> true);
        listener.group.set(group);
        CompletableFuture<Boolean> done = runAsync(group);
        drainStart[0] = System.nanoTime();
        group.drain();
        assertTrue(done.get(10, TimeUnit.SECONDS), "drained");
        long tookMillis = (System.nanoTime() - drainStart[0]) / 1_000_000;
        assertTrue(tookMillis < 2_000, "the drain took " + tookMillis + " ms, sweeping " + connected.get()
                + " connections that kept coming");
    }

    /**
     * A connection idle for longer than the quiet grace whose next request has just begun to
     * arrive: its reader took the first bytes (so none are pending in the kernel) but has not
     * yet told the worker it is busy. A drain looking at that moment must not take it for quiet
     * and shut its input, or the rest of the request is lost.
     */
    @Test
    void aRequestWhoseFirstBytesWereJustReadIsNotEndedAsQuiet() throws Exception {
        try (Listener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress(), 2000);
            WorkerGroup group = new WorkerGroup(List.of(listener), c -> { }, Duration.ofMillis(50), Duration.ofSeconds(5), () -> true);
            try (TrackedConnection c = new TrackedConnection(listener.accept(Duration.ofSeconds(2)), group)) {
                c.readTimeout(Duration.ofSeconds(5));
                c.idle();
                long idleUntil = System.nanoTime() + WorkerGroup.QUIET_GRACE.toNanos() + Duration.ofMillis(100).toNanos();
                while (System.nanoTime() < idleUntil) { // quiet for longer than the grace: the premise
                    java.util.concurrent.locks.LockSupport.parkNanos(idleUntil - System.nanoTime());
                }
                client.getOutputStream().write("GE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                ByteBuffer head = ByteBuffer.allocate(64);
                assertEquals(2, c.read(head), "the first bytes of the request");
                c.endIfQuiet(System.nanoTime(), WorkerGroup.QUIET_GRACE.toNanos()); // the drain looks now
                client.getOutputStream().write("T / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                int n = c.read(head);
                assertTrue(n > 0, "the rest of the request was lost: the drain shut the connection's input (read " + n + ")");
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }
}
