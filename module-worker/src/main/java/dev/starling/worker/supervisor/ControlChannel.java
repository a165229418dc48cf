package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control channel between the manager and its workers: the manager's listening socket with
 * one thread that serves every worker's connection. A worker's end is {@link ControlClient},
 * used by {@link ManagerLink}; this javadoc is the protocol both ends speak.
 *
 * <h2>Protocol</h2>
 * <ol>
 * <li><b>Socket.</b> The manager listens on one UNIX-domain stream socket,
 * {@code starling-<manager pid>.control} beside its scoreboard (in /dev/shm, else the temp
 * folder), mode {@code rw-------} from right after the bind. It removes the file when it exits;
 * a later manager removes those of managers that are gone. A manager that cannot create it does
 * not start.</li>
 * <li><b>Introduction.</b> Each worker finds in its environment the socket's path
 * ({@value #ENV_SOCKET}) and a token ({@value #ENV_TOKEN}: 256 bits from {@link SecureRandom}
 * in hex, new for each worker process, good for one connection). First thing at start, before
 * it loads plugins, the worker connects (on a thread of its own, while its main thread goes on
 * starting) and sends {@code hello <token>}; the token tells the manager which worker process
 * is speaking. A worker that cannot connect exits, as one whose manager is gone. The manager closes, and logs once, a connection whose first
 * line is anything else, whose token is unknown or used already, or that sends no complete line
 * within {@link #AUTH_TIMEOUT}.</li>
 * <li><b>Framing.</b> Both ways, a message is one line of UTF-8 text ended by LF (no CR), at most
 * {@value #MAX_LINE_BYTES} bytes before the LF: a verb, then, for verbs that take one, a space
 * and an argument. A longer line ends the connection ({@link ControlLines}).</li>
 * <li><b>Worker to manager.</b> {@value #READY}: the worker accepts connections now.
 * {@value #RETIRE}: it served its share of requests ({@code --max-requests-per-child}) and asks
 * to be replaced; the manager starts a successor and stops this worker once the successor is
 * ready. The manager logs a verb it does not know, once per connection, and ignores it.</li>
 * <li><b>Manager to worker.</b> No verb yet; a worker ignores lines it does not know, so the
 * manager may send new ones (e.g. messages relayed between workers) without breaking older
 * workers.</li>
 * <li><b>End.</b> A worker keeps its connection for as long as it runs. The manager closes it
 * once the worker process has exited, and all of them when the manager ends, however it ends,
 * since the kernel closes a dead process's sockets. A worker that reads end-of-file takes its
 * manager for gone and exits at once, as an orphan does. The manager learns of a worker's death
 * from the process ({@link java.lang.Process#onExit()}), not from this channel.</li>
 * <li><b>Not here.</b> A worker's standard output and error carry no messages: the manager copies
 * them line by line to its own, each line prefixed with {@code [worker PID] }
 * ({@link WorkerOutput}), so nothing a plugin prints can be taken for one. The listening socket
 * still reaches workers on fd 0, and their counters and heartbeats through the
 * {@link Scoreboard}.</li>
 * </ol>
 *
 * <p>Threads: the manager's end serves all connections on one platform thread with a
 * {@link Selector}, never blocking on a worker; {@link #newSession()}, {@link Session#send},
 * {@link Session#close()} and {@link #close()} may be called from any thread. Peer callbacks run
 * on that thread. A worker's end ({@link ControlClient}) connects and reads on a platform thread
 * of its own and writes on the caller's.
 */
final class ControlChannel implements AutoCloseable {

    /** The environment variable that holds the socket's path. */
    static final String ENV_SOCKET = "STARLING_CONTROL_SOCKET";
    /** The environment variable that holds the worker's token. */
    static final String ENV_TOKEN = "STARLING_CONTROL_TOKEN";
    /** Longest line either end accepts, LF excluded. */
    static final int MAX_LINE_BYTES = 4096;
    /** How long a new connection may take to say hello. */
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);
    static final String HELLO = "hello";
    static final String READY = "ready";
    static final String RETIRE = "retire";
    /** Bytes waiting to be sent to one worker beyond which {@link Session#send} refuses more: a worker that does not read cannot grow the manager's heap. */
    static final int MAX_QUEUED_BYTES = 1 << 20;
    /** Stack of the channel's threads, which only move short lines: a small one keeps their footprint small. */
    static final long STACK_BYTES = 256 * 1024;
    private static final int TOKEN_BYTES = 32;

    private static final System.Logger LOG = System.getLogger(ControlChannel.class.getName());

    /** What the manager hears from one worker; called on the channel's thread, so it must return quickly. */
    interface Peer {
        /** One line from the worker, LF removed. */
        void received(String line);

        /** The worker's end closed (the process is exiting or gone), or the manager dropped the connection. */
        void disconnected();
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final long authTimeoutNanos;
    private final SecureRandom random = new SecureRandom();
    /** Sessions whose worker has not said hello yet, by token. */
    private final Map<String, Session> expected = new ConcurrentHashMap<>();
    /** Work for the channel's thread from other threads. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Connections still to say hello, oldest (first to expire) first; the channel's thread only. */
    private final Deque<Connection> unauthenticated = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean closing;

    private ControlChannel(Path path, ServerSocketChannel server, Selector selector, Duration authTimeout) {
        this.path = path;
        this.server = server;
        this.selector = selector;
        this.authTimeoutNanos = authTimeout.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("starling control").stackSize(STACK_BYTES).unstarted(this::serve);
    }

    /** Where the manager with {@code managerPid} puts its socket: beside its scoreboard. */
    static Path defaultPath(long managerPid) {
        return Scoreboard.defaultPath(managerPid).resolveSibling("starling-" + managerPid + ".control");
    }

    /**
     * Binds the manager's socket at {@code path} (replacing a file left there, which can only be
     * a dead process's: the name holds a live manager's pid) and starts serving it.
     *
     * @throws IOException naming the path and the reason, when the socket cannot be created
     */
    static ControlChannel open(Path path) throws IOException {
        return open(path, AUTH_TIMEOUT);
    }

    static ControlChannel open(Path path, Duration authTimeout) throws IOException {
        ServerSocketChannel server = null;
        Selector selector = null;
        try {
            Files.deleteIfExists(path);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            ControlLines.closeQuietly(selector);
            ControlLines.closeQuietly(server);
            if (server != null) {
                Files.deleteIfExists(path);
            }
            throw new IOException("cannot create the control socket " + path + ": " + e.getMessage(), e);
        }
        ControlChannel channel = new ControlChannel(path, server, selector, authTimeout);
        channel.thread.start();
        return channel;
    }

    /** The socket's path. */
    Path path() {
        return path;
    }

    /** A new session with a fresh token, for one worker about to start; thread-safe. */
    Session newSession() {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        Session session = new Session(HexFormat.of().formatHex(bytes));
        expected.put(session.token, session);
        return session;
    }

    /**
     * Stops serving, closes every connection (their workers then exit) and removes the socket
     * file; a file that cannot be removed is logged, since the manager is ending anyway (the next
     * manager removes it). Call once the workers are gone, from any thread.
     */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ControlLines.closeQuietly(server);
        ControlLines.closeQuietly(selector);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(WARNING, () -> "manager pid " + ProcessHandle.current().pid() + ": cannot remove the control socket "
                    + path + ": " + e);
        }
    }

    private void serve() {
        try {
            while (!closing) {
                selector.select(millisToFirstDeadline());
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Connection c = (Connection) key.attachment();
                    if (key.isWritable()) {
                        flush(c);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(c);
                    }
                }
                expireUnauthenticated(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(ERROR, () -> "manager pid " + ProcessHandle.current().pid() + ": the control channel " + path
                    + " failed: " + e + "; every worker loses its connection and exits");
            // New workers must fail to connect (and exit, which the manager sees), not wait unheard.
            ControlLines.closeQuietly(server);
        } finally {
            for (SelectionKey key : List.copyOf(selector.keys())) {
                if (key.attachment() instanceof Connection c) {
                    end(c);
                }
            }
        }
    }

    private long millisToFirstDeadline() {
        Connection first = unauthenticated.peekFirst();
        return first == null ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.deadlineNanos - System.nanoTime()) + 1);
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            Connection c = new Connection(channel, System.nanoTime() + authTimeoutNanos);
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
            unauthenticated.addLast(c);
        }
    }

    private void expireUnauthenticated(long now) {
        while (!unauthenticated.isEmpty() && now - unauthenticated.peekFirst().deadlineNanos >= 0) {
            drop(unauthenticated.peekFirst(), "did not say hello within " + authTimeoutNanos / 1_000_000 + " ms");
        }
    }

    private void read(Connection c) {
        try {
            int n = c.lines.readFrom(c.channel);
            String line;
            while (c.channel.isOpen() && (line = c.lines.next()) != null) {
                if (c.session == null) {
                    authenticate(c, line);
                } else {
                    c.session.deliver(line);
                }
            }
            if (n < 0 && c.channel.isOpen()) {
                if (c.session == null) {
                    drop(c, "closed before it said hello");
                } else {
                    LOG.log(DEBUG, () -> "control connection of " + c.session + " ended");
                    end(c);
                }
            }
        } catch (ProtocolException e) {
            drop(c, "sent " + e.getMessage());
        } catch (IOException e) {
            drop(c, "failed: " + e);
        }
    }

    private void authenticate(Connection c, String line) {
        unauthenticated.remove(c);
        boolean hello = line.startsWith(HELLO + " ");
        Session session = hello ? expected.remove(line.substring(HELLO.length() + 1)) : null;
        if (session == null) {
            drop(c, hello ? "gave a token that is unknown or used already" : "did not begin with 'hello TOKEN'");
        } else if (session.closed) {
            drop(c, "said hello for " + session + ", whose session is closed");
        } else {
            c.session = session;
            session.connection = c;
        }
    }

    private void flush(Connection c) {
        try {
            ByteBuffer next;
            while ((next = c.out.peek()) != null) {
                c.channel.write(next);
                if (next.hasRemaining()) {
                    c.key.interestOpsOr(SelectionKey.OP_WRITE);
                    return;
                }
                c.out.poll();
                c.queued.addAndGet(-next.capacity());
            }
            c.key.interestOpsAnd(~SelectionKey.OP_WRITE);
        } catch (IOException e) {
            drop(c, "failed: " + e);
        }
    }

    /** Closes {@code c}, logging why once: it broke the protocol, or failed. */
    private void drop(Connection c, String why) {
        if (c.channel.isOpen()) {
            String who = c.session == null ? "an unauthenticated control connection" : "the control connection of " + c.session;
            LOG.log(WARNING, () -> "manager pid " + ProcessHandle.current().pid() + ": " + who + " " + why + "; closed");
        }
        end(c);
    }

    private void end(Connection c) {
        unauthenticated.remove(c);
        ControlLines.closeQuietly(c.channel);
        if (c.session != null) {
            c.session.disconnected();
        }
    }


    /**
     * The manager's handle on one worker's connection, from before the worker starts (its token
     * goes into the worker's environment) until the worker has exited ({@link #close()}).
     */
    final class Session {
        private final String token;
        /** Set on the channel's thread at hello; read by senders. */
        private volatile Connection connection;
        private volatile boolean closed;
        /** Guarded by this; lines and the end are held until a peer is attached. */
        private Peer peer;
        private List<String> early = new ArrayList<>();
        private boolean ended;

        private Session(String token) {
            this.token = token;
        }

        /** The token the worker must say hello with. */
        String token() {
            return token;
        }

        /**
         * Names who hears this session's lines. Lines (and an end) that arrived before are
         * delivered now, on the caller's thread, in order; later ones on the channel's thread.
         */
        synchronized void attach(Peer peer) {
            this.peer = peer;
            early.forEach(peer::received);
            early = null;
            if (ended) {
                peer.disconnected();
            }
        }

        private synchronized void deliver(String line) {
            if (peer != null) {
                peer.received(line);
            } else if (early.size() < 64) {
                early.add(line);
            }
        }

        private synchronized void disconnected() {
            if (ended) {
                return;
            }
            ended = true;
            if (peer != null) {
                peer.disconnected();
            }
        }

        /**
         * Queues {@code line} for the worker; thread-safe, never blocks.
         *
         * @return false when it was not queued: the worker has not said hello yet, the session
         *         is closed, or {@value #MAX_QUEUED_BYTES} bytes already wait for it
         * @throws IllegalArgumentException when {@code line} holds a line break or is too long
         */
        boolean send(String line) {
            byte[] bytes = ControlLines.encode(line);
            Connection c = connection;
            if (c == null || closed || !c.channel.isOpen()) {
                return false;
            }
            if (c.queued.addAndGet(bytes.length) > MAX_QUEUED_BYTES) {
                c.queued.addAndGet(-bytes.length);
                return false;
            }
            c.out.add(ByteBuffer.wrap(bytes));
            tasks.add(() -> {
                if (c.channel.isOpen()) {
                    flush(c);
                }
            });
            selector.wakeup();
            return true;
        }

        /** Forgets the token and closes the connection; call once the worker has exited. Thread-safe, idempotent. */
        void close() {
            closed = true;
            expected.remove(token);
            tasks.add(() -> {
                Connection c = connection;
                if (c != null) {
                    end(c);
                }
            });
            selector.wakeup();
        }

        @Override
        public synchronized String toString() {
            return peer == null ? "a worker not started yet" : peer.toString();
        }
    }

    /** One accepted connection; the channel's thread only, but for {@link #out} and {@link #queued}. */
    private static final class Connection {
        final SocketChannel channel;
        final long deadlineNanos;
        final ControlLines lines = new ControlLines();
        final Queue<ByteBuffer> out = new ConcurrentLinkedQueue<>();
        final AtomicLong queued = new AtomicLong();
        SelectionKey key;
        Session session;

        Connection(SocketChannel channel, long deadlineNanos) {
            this.channel = channel;
            this.deadlineNanos = deadlineNanos;
        }
    }
}
