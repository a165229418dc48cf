package dev.starling.worker.supervisor;

import dev.starling.worker.DatagramListener;
import dev.starling.worker.Listener;
import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.process.Connection;
import dev.starling.process.Datagram;
import dev.starling.process.DatagramService;
import dev.starling.process.StreamService;
import dev.starling.worker.internal.EventLoopThread;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Serves the listeners of one worker process: one platform thread accepts on each listener,
 * one virtual thread serves each connection, and a drain stops accepting and lets every
 * connection finish its current exchange. Datagram listeners are served alike: one platform
 * thread receives on each, one virtual thread serves each datagram.
 *
 * <p>Every accept deadline ({@code --timeout-ms}), whatever the traffic, a watch thread asks
 * {@code keepServing} whether the process should go on (is the manager still there?) and ends
 * the whole group at once if not. It also ends single exchanges that make no progress for the
 * request timeout and connections whose writes send nothing for the send timeout
 * ({@link ConnectionTimeouts}): the worker goes on serving the others. An accept that fails because the
 * process ran out of descriptors pauses that listener until a connection closes
 * ({@link AcceptPause}); other accept failures drain the group.
 *
 * <p>A drain takes what the kernel queued already (for a bounded time), then waits for every
 * connection the group ever took, including those, before {@link #run()} returns.
 */
public final class WorkerGroup {

    static final System.Logger LOG = System.getLogger(WorkerGroup.class.getName());

    /** How long a draining listener waits for more already-queued connections before it closes. */
    private static final Duration QUEUE_SWEEP = Duration.ofMillis(1);

    /**
     * The longest a draining listener goes on taking queued connections: clients sent away with
     * {@code Connection: close} come back at once, and could otherwise keep it taking them
     * until its manager's graceful timeout kills it with requests in flight.
     */
    static final Duration QUEUE_SWEEP_LIMIT = Duration.ofMillis(100);

    /** A draining group ends connections quiet for this long; busier ones are closed by their protocol. */
    static final Duration QUIET_GRACE = Duration.ofMillis(500);

    private final List<Listener> listeners;
    private final StreamService service;
    private final Datagrams datagrams;
    private final AtomicInteger datagramsInFlight = new AtomicInteger();
    private final Duration acceptTimeout;
    private final Duration gracefulTimeout;
    private final BooleanSupplier keepServing;
    private final Semaphore connectionPermits;
    private final int maxConnections;
    private final long exchangeLimit;
    private final Runnable onExchangeLimit;
    private final AtomicLong exchanges = new AtomicLong();
    private final LongAdder bytesOut = new LongAdder();
    private final Set<TrackedConnection> connections = ConcurrentHashMap.newKeySet();
    private final ConnectionTimeouts timeouts;
    private final LongAdder requestTimeouts = new LongAdder();
    private final LongAdder sendTimeouts = new LongAdder();
    private final AcceptPause acceptPause = new AcceptPause(this::openConnections);
    /** Counted down once the accept loops ended and every connection they took has finished, or on abandon. */
    private final CountDownLatch allDone = new CountDownLatch(1);
    private final long pid = ProcessHandle.current().pid();
    private volatile boolean draining;
    private volatile boolean abandoned;
    /** Set once every accept loop has ended: no connection can be taken any more. */
    private volatile boolean acceptorsDone;
    private volatile boolean finished;
    private volatile Thread watch;

    /** A group with no connection limit and no exchange limit. */
    public WorkerGroup(List<Listener> listeners, StreamService service, Duration acceptTimeout,
                       Duration gracefulTimeout, BooleanSupplier keepServing) {
        this(listeners, service, acceptTimeout, gracefulTimeout, keepServing, Integer.MAX_VALUE, 0, () -> { });
    }

    /**
     * @param listeners       bound listeners, owned by the group from now on
     * @param service         serves each accepted connection
     * @param acceptTimeout   the accept deadline: how often {@code keepServing} is asked, and the longest one accept waits
     * @param gracefulTimeout how long a drain waits for open connections before closing them
     * @param keepServing     false when the process must end now (its manager is gone)
     * @param maxConnections  the most connections served at once ({@code --worker-connections});
     *                        beyond it the group stops accepting, so new connections wait in the
     *                        kernel's queue (where another worker may take them), not in memory
     * @param exchangeLimit   after this many exchanges (requests), {@code onExchangeLimit} runs
     *                        once; 0 for never
     * @param onExchangeLimit called once, on the thread of the exchange that reached the limit
     */
    public WorkerGroup(List<Listener> listeners, StreamService service, Duration acceptTimeout,
                       Duration gracefulTimeout, BooleanSupplier keepServing, int maxConnections,
                       long exchangeLimit, Runnable onExchangeLimit) {
        this(listeners, service, acceptTimeout, gracefulTimeout, keepServing, maxConnections, exchangeLimit, onExchangeLimit,
                Datagrams.NONE);
    }

    /**
     * The datagram side of a group.
     *
     * @param listeners bound datagram listeners, owned by the group once it is made
     * @param service   serves each datagram; each one counts as an exchange and, while it is
     *                  served, holds one of the {@code maxConnections} permits
     */
    public record Datagrams(List<DatagramListener> listeners, DatagramService service) {
        /** No datagram listeners. */
        public static final Datagrams NONE = new Datagrams(List.of(), datagram -> { });

        public Datagrams {
            listeners = List.copyOf(listeners);
            Objects.requireNonNull(service, "service");
        }
    }

    /**
     * A group that serves stream {@code listeners} and {@code datagrams}; the other arguments are
     * those of {@link #WorkerGroup(List, StreamService, Duration, Duration, BooleanSupplier, int, long, Runnable)}.
     * Either list may be empty, not both.
     */
    public WorkerGroup(List<Listener> listeners, StreamService service, Duration acceptTimeout,
                       Duration gracefulTimeout, BooleanSupplier keepServing, int maxConnections,
                       long exchangeLimit, Runnable onExchangeLimit, Datagrams datagrams) {
        this(listeners, service, acceptTimeout, gracefulTimeout, keepServing, maxConnections, exchangeLimit, onExchangeLimit,
                datagrams, ConnectionTimeouts.NONE);
    }

    /**
     * A group with the request and send {@code timeouts}; the other arguments are those of
     * {@link #WorkerGroup(List, StreamService, Duration, Duration, BooleanSupplier, int, long, Runnable, Datagrams)}.
     */
    public WorkerGroup(List<Listener> listeners, StreamService service, Duration acceptTimeout,
                       Duration gracefulTimeout, BooleanSupplier keepServing, int maxConnections,
                       long exchangeLimit, Runnable onExchangeLimit, Datagrams datagrams, ConnectionTimeouts timeouts) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, was " + maxConnections);
        }
        if (exchangeLimit < 0) {
            throw new IllegalArgumentException("exchange limit must not be negative, was " + exchangeLimit);
        }
        this.maxConnections = maxConnections;
        this.connectionPermits = new Semaphore(maxConnections);
        this.exchangeLimit = exchangeLimit;
        this.onExchangeLimit = Objects.requireNonNull(onExchangeLimit, "onExchangeLimit");
        this.listeners = List.copyOf(listeners);
        this.service = Objects.requireNonNull(service, "service");
        this.acceptTimeout = Objects.requireNonNull(acceptTimeout, "acceptTimeout");
        this.gracefulTimeout = Objects.requireNonNull(gracefulTimeout, "gracefulTimeout");
        this.keepServing = Objects.requireNonNull(keepServing, "keepServing");
        this.datagrams = Objects.requireNonNull(datagrams, "datagrams");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        if (!acceptTimeout.isPositive()) {
            throw new IllegalArgumentException("the accept deadline must be positive, was " + acceptTimeout);
        }
        if (this.listeners.isEmpty() && datagrams.listeners().isEmpty()) {
            throw new IllegalArgumentException("a worker group needs at least one listener");
        }
        if (service.servesOnEventLoop()) {
            EventLoopThread.preferPlatform();
        }
    }

    /**
     * Accepts and serves until drained or abandoned, then returns; called once, by the worker's
     * main thread. After a drain it returns once every connection it took has finished (or
     * was closed at the graceful timeout); after an abandon, at once, with every connection closed.
     *
     * @return true after a graceful drain, false when the group was abandoned because
     *         {@code keepServing} said so
     */
    public boolean run() throws InterruptedException {
        watch = Thread.ofPlatform().daemon().name("worker watch").start(new GroupWatch(this, acceptTimeout, keepServing, timeouts));
        List<Thread> acceptors = new ArrayList<>();
        for (Listener listener : listeners) {
            acceptors.add(Thread.ofPlatform().name("accept " + listener)
                    .start(() -> takeUntilDrained(listener, "accept", listener::accept, this::serve)));
        }
        for (DatagramListener listener : datagrams.listeners()) {
            acceptors.add(Thread.ofPlatform().name("receive " + listener)
                    .start(() -> takeUntilDrained(listener, "receive", listener::receive, this::serve)));
        }
        for (Thread acceptor : acceptors) {
            acceptor.join();
        }
        acceptorsDone = true; // after every listener closed: from now on no connection is taken
        try {
            if (!abandoned) {
                countDownIfDrained();
                awaitConnections();
            }
            if (abandoned) {
                closeAll();
                return false;
            }
            return true;
        } finally {
            finished = true;
            LockSupport.unpark(watch);
        }
    }

    /**
     * Starts a graceful drain: listeners stop accepting after taking what the kernel already
     * queued, idle connections end, busy ones finish their exchange. Thread-safe; returns at once.
     */
    public void drain() {
        if (draining) {
            return;
        }
        draining = true;
        LOG.log(INFO, () -> "worker pid " + pid + ": draining " + connections.size() + " connection(s)");
        Thread w = watch;
        if (w != null) {
            LockSupport.unpark(w); // it ends the quiet connections
        }
    }

    /**
     * Ends the group now: stops accepting (closing the listeners wakes the accept loops),
     * closes every connection, and lets {@link #run()} return false. Called by the watch when
     * {@code keepServing} says no.
     */
    void abandon() {
        if (abandoned) {
            return;
        }
        abandoned = true;
        draining = true;
        List<java.io.Closeable> all = new ArrayList<>(listeners);
        all.addAll(datagrams.listeners());
        for (java.io.Closeable listener : all) {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.log(DEBUG, () -> "worker pid " + pid + ": closing " + listener + " failed: " + e);
            }
        }
        closeAll();
        allDone.countDown();
    }

    boolean abandoned() {
        return abandoned;
    }

    /** Whether {@link #run()} has ended (the watch stops then). */
    boolean finished() {
        return finished;
    }

    /** The open connections, for the watch; a live view. */
    Set<TrackedConnection> connections() {
        return connections;
    }

    void countRequestTimeout() {
        requestTimeouts.increment();
    }

    void countSendTimeout() {
        sendTimeouts.increment();
    }

    /** Whether {@link #drain()} was called. */
    public boolean isDraining() {
        return draining;
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * What this group is doing, for the scoreboard.
     *
     * @param requests           exchanges started so far
     * @param inFlight           exchanges in progress
     * @param bytesOut           bytes written so far
     * @param oldestStartMillis  when the oldest exchange in progress started (epoch ms), 0 if none
     * @param oldestSummary      what its protocol called it, or null
     * @param draining           whether the group drains
     * @param requestTimeouts    exchanges ended so far by the request timeout ({@link ConnectionTimeouts#request()})
     * @param sendTimeouts       connections closed so far by the send timeout ({@link ConnectionTimeouts#send()})
     */
    public record Stats(long requests, long inFlight, long bytesOut, long oldestStartMillis, Object oldestSummary,
                        boolean draining, long requestTimeouts, long sendTimeouts) {
    }

    /** A fresh look at the counters and at the oldest exchange in progress; costs one pass over the open connections. */
    public Stats stats() {
        long inFlight = 0;
        long oldest = 0;
        Object summary = null;
        inFlight += datagramsInFlight.get();
        for (TrackedConnection c : connections) {
            if (c.inExchange()) {
                inFlight++;
                long start = c.exchangeStartMillis();
                if (oldest == 0 || start < oldest) {
                    oldest = start;
                    summary = c.exchangeSummary();
                }
            }
        }
        return new Stats(exchanges.get(), inFlight, bytesOut.sum(), oldest, summary, draining, requestTimeouts.sum(),
                sendTimeouts.sum());
    }

    void bytesWritten(long bytes) {
        bytesOut.add(bytes);
    }

    /** Counts an exchange that began on one of this group's connections. */
    void exchangeStarted() {
        if (exchanges.incrementAndGet() == exchangeLimit) {
            onExchangeLimit.run();
        }
    }

    /** What a loop takes from its listener: a connection or a datagram, or null when the deadline passed. */
    @FunctionalInterface
    private interface Take<T> {
        T within(Duration timeout) throws IOException;
    }

    /**
     * The loop of one listener's thread, for connections and datagrams alike: take one (holding
     * a permit) and hand it to {@code serve}, until the drain; then take what the kernel has
     * queued already. Closes the listener at the end.
     */
    private <T> void takeUntilDrained(java.io.Closeable listener, String verb, Take<T> take, java.util.function.Consumer<T> serve) {
        try {
            while (!draining) {
                // At the connection limit, stop taking connections off the kernel's queue.
                if (awaitPermit()) {
                    T taken = takeHoldingPermit(listener, take, acceptTimeout);
                    if (taken != null) {
                        serve.accept(taken);
                    }
                }
            }
            if (abandoned) {
                return;
            }
            // The kernel completed these handshakes (or buffered these datagrams) before we
            // stopped: serve them rather than let the close reset or drop them.
            long sweepEnd = System.nanoTime() + QUEUE_SWEEP_LIMIT.toNanos();
            while (System.nanoTime() - sweepEnd < 0 && awaitPermit()) {
                T taken = takeHoldingPermit(listener, take, QUEUE_SWEEP);
                if (taken == null) {
                    break; // the queue is empty, or out of descriptors: what is left waits for another worker
                }
                serve.accept(taken);
            }
        } catch (ClosedChannelException | ClosedSelectorException closed) {
            LOG.log(DEBUG, () -> "worker pid " + pid + ": " + listener + " closed");
        } catch (IOException e) {
            LOG.log(WARNING, () -> "worker pid " + pid + ": " + verb + " on " + listener + " failed: " + e + "; draining");
            drain();
        } finally {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.log(WARNING, () -> "worker pid " + pid + ": closing " + listener + " failed: " + e);
            }
        }
    }

    /**
     * One take, with a connection permit held: the connection (or datagram), keeping the permit,
     * or null, releasing it, when the deadline passed or the process ran out of descriptors (then
     * after a pause). Other failures propagate, with the permit released.
     */
    private <T> T takeHoldingPermit(Object listener, Take<T> take, Duration deadline) throws IOException {
        T taken;
        try {
            taken = take.within(deadline);
        } catch (IOException e) {
            connectionPermits.release();
            if (e instanceof ClosedChannelException || !AcceptPause.outOfResources(e)) {
                throw e;
            }
            acceptPause.pause(listener, e);
            return null;
        }
        if (taken == null) {
            connectionPermits.release();
        }
        return taken;
    }

    /** Takes a connection permit, waiting at most the accept deadline; false (no permit held) if none came. */
    private boolean awaitPermit() throws InterruptedIOException {
        try {
            if (connectionPermits.tryAcquire(acceptTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
            LOG.log(DEBUG, () -> "worker pid " + pid + ": at the limit of " + maxConnections + " connections (--worker-connections)");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a connection permit");
        }
    }

    private void serve(Connection raw) {
        TrackedConnection c = new TrackedConnection(raw, this);
        connections.add(c);
        Thread.ofVirtual().start(() -> {
            c.servedBy(Thread.currentThread());
            try {
                service.serve(c);
            } catch (IOException | RuntimeException e) {
                LOG.log(DEBUG, () -> "worker pid " + pid + ": " + c + " ended: " + e);
            } finally {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.log(DEBUG, () -> "worker pid " + pid + ": closing " + c + " failed: " + e);
                }
                connections.remove(c);
                connectionPermits.release();
                acceptPause.connectionClosed();
                countDownIfDrained();
            }
        });
    }

    /**
     * Counts {@link #allDone} down once nothing is left: no accept loop can take another
     * connection, and none it took is open. Both a finishing connection and {@link #run()}
     * (once the loops ended) call it, so whichever comes last sees the end; a connection that
     * finishes while a loop still sweeps the queue is not the end.
     */
    private void countDownIfDrained() {
        if (acceptorsDone && connections.isEmpty() && datagramsInFlight.get() == 0) {
            allDone.countDown();
        }
    }

    private void serve(Datagram d) {
        datagramsInFlight.incrementAndGet();
        Thread.ofVirtual().start(() -> {
            try {
                exchangeStarted();
                datagrams.service().serve(d);
            } catch (IOException | RuntimeException e) {
                LOG.log(DEBUG, () -> "worker pid " + pid + ": " + d + " failed: " + e);
            } finally {
                datagramsInFlight.decrementAndGet();
                connectionPermits.release();
                countDownIfDrained();
            }
        });
    }

    private void awaitConnections() throws InterruptedException {
        if (!allDone.await(gracefulTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.log(WARNING, () -> "worker pid " + pid + ": " + connections.size()
                    + " connection(s) still open after the graceful timeout of " + gracefulTimeout.toMillis() / 1000.0
                    + " s (--graceful-timeout); closing them");
            closeAll();
        }
    }

    private void closeAll() {
        for (TrackedConnection c : connections) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(DEBUG, () -> "worker pid " + pid + ": closing " + c + " failed: " + e);
            }
        }
    }
}
