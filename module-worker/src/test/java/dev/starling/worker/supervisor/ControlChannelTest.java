package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control channel's framing and authentication, over a real UNIX socket in a temp folder. */
class ControlChannelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ControlChannel channel;
    private Path socket;

    @BeforeEach
    void open() throws IOException {
        socket = dir.resolve("test.control");
        channel = ControlChannel.open(socket, Duration.ofMillis(300));
    }

    @AfterEach
    void close() {
        channel.close();
    }

    /** What a peer heard, in order: "line:TEXT" and "disconnected". */
    private static final class Recorder implements ControlChannel.Peer {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void received(String line) {
            events.add("line:" + line);
        }

        @Override
        public void disconnected() {
            events.add("disconnected");
        }

        String next(String what) throws InterruptedException {
            String event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(event != null, "timed out after " + WAIT + " waiting for " + what);
            return event;
        }
    }

    /** A worker's end that records what the manager sends and whether the connection ended. */
    private final class FakeWorker {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch ended = new CountDownLatch(1);
        final ControlClient client;

        FakeWorker(String token) {
            client = ControlClient.start(socket, token, received::add, ended::countDown);
        }

        void awaitEnded(String why) throws InterruptedException {
            assertTrue(ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the manager did not close the connection " + why);
        }
    }

    /** Sends raw bytes on a connection of its own and waits until the manager closes it. */
    private void assertClosedAfterSending(byte[] bytes, String why) throws Exception {
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(socket));
            raw.write(ByteBuffer.wrap(bytes));
            CountDownLatch eof = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (raw.read(ByteBuffer.allocate(64)) >= 0) {
                        continue;
                    }
                } catch (IOException closed) {
                    // A reset counts as closed too.
                }
                eof.countDown();
            });
            assertTrue(eof.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the manager did not close a connection that " + why);
            reader.join();
        }
    }

    @Test
    void theSocketIsPrivateToItsUser() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void aWorkerThatSaysHelloIsHeardInOrderAndHearsTheManager() throws Exception {
        ControlChannel.Session session = channel.newSession();
        Recorder peer = new Recorder();
        session.attach(peer);
        assertFalse(session.send("too early"), "no connection yet");
        FakeWorker worker = new FakeWorker(session.token());
        worker.client.send(ControlChannel.READY);
        worker.client.send(ControlChannel.RETIRE);
        assertEquals("line:ready", peer.next("ready"));
        assertEquals("line:retire", peer.next("retire"));
        assertTrue(session.send("news for the worker"));
        assertEquals("news for the worker", worker.received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        worker.client.close();
        assertEquals("disconnected", peer.next("the end of the worker's connection"));
    }

    @Test
    void linesBeforeThePeerIsAttachedWaitForIt() throws Exception {
        ControlChannel.Session session = channel.newSession();
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(socket));
            raw.write(ByteBuffer.wrap(("hello " + session.token() + "\nready\n").getBytes(StandardCharsets.UTF_8)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!session.send("echo")) {
                assertTrue(System.nanoTime() - deadline < 0, "timed out after " + WAIT + " waiting for the hello to be taken");
                Thread.sleep(5);
            }
            // The channel's thread sends only after it handled the whole read that held both lines.
            ByteBuffer echo = ByteBuffer.allocate(5);
            while (echo.hasRemaining() && raw.read(echo) >= 0) {
                continue;
            }
            assertEquals("echo\n", new String(echo.array(), StandardCharsets.UTF_8));
            Recorder peer = new Recorder();
            session.attach(peer);
            assertEquals("line:ready", peer.next("the line sent before attach"));
        }
    }

    @Test
    void aWrongTokenIsRefused() throws Exception {
        ControlChannel.Session session = channel.newSession();
        Recorder peer = new Recorder();
        session.attach(peer);
        new FakeWorker("0".repeat(64)).awaitEnded("for a wrong token");
        FakeWorker real = new FakeWorker(session.token());
        real.client.send(ControlChannel.READY);
        assertEquals("line:ready", peer.next("the real worker's line"), "the session is still there for the real worker");
    }

    @Test
    void aTokenIsGoodForOneConnectionOnly() throws Exception {
        ControlChannel.Session session = channel.newSession();
        Recorder peer = new Recorder();
        session.attach(peer);
        FakeWorker first = new FakeWorker(session.token());
        first.client.send(ControlChannel.READY);
        assertEquals("line:ready", peer.next("the first connection's ready"));
        new FakeWorker(session.token()).awaitEnded("for a token used already");
        assertEquals(1, first.ended.getCount(), "the first connection stays");
    }

    @Test
    void aClosedSessionsTokenIsRefused() throws Exception {
        ControlChannel.Session session = channel.newSession();
        session.close();
        new FakeWorker(session.token()).awaitEnded("for the token of a closed session");
    }

    @Test
    void closingASessionClosesItsConnection() throws Exception {
        ControlChannel.Session session = channel.newSession();
        session.attach(new Recorder());
        FakeWorker worker = new FakeWorker(session.token());
        worker.client.send(ControlChannel.READY);
        session.close();
        worker.awaitEnded("when its session was closed");
    }

    @Test
    void aFirstLineOtherThanHelloIsRefused() throws Exception {
        assertClosedAfterSending("ready\n".getBytes(StandardCharsets.UTF_8), "began with ready");
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAfterTheAuthenticationTimeout() throws Exception {
        assertClosedAfterSending(new byte[0], "said nothing");
    }

    @Test
    void anOversizeLineIsRefusedBeforeHello() throws Exception {
        assertClosedAfterSending(("hello " + "a".repeat(ControlChannel.MAX_LINE_BYTES)).getBytes(StandardCharsets.UTF_8),
                "sent a line longer than the limit");
    }

    @Test
    void anOversizeLineEndsAnAuthenticatedConnection() throws Exception {
        ControlChannel.Session session = channel.newSession();
        Recorder peer = new Recorder();
        session.attach(peer);
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(socket));
            raw.write(ByteBuffer.wrap(("hello " + session.token() + "\nready\n").getBytes(StandardCharsets.UTF_8)));
            assertEquals("line:ready", peer.next("ready"));
            ByteBuffer tooLong = ByteBuffer.wrap("x".repeat(ControlChannel.MAX_LINE_BYTES + 1).getBytes(StandardCharsets.UTF_8));
            while (tooLong.hasRemaining()) {
                raw.write(tooLong);
            }
            assertEquals("disconnected", peer.next("the connection to be dropped for its oversize line"));
        }
    }

    @Test
    void theWorkerLearnsOfTheManagersEndByEndOfFile() throws Exception {
        ControlChannel.Session session = channel.newSession();
        session.attach(new Recorder());
        FakeWorker worker = new FakeWorker(session.token());
        worker.client.send(ControlChannel.READY);
        channel.close();
        worker.awaitEnded("when the manager's channel closed");
        assertFalse(Files.exists(socket), "the socket file is removed");
    }

    @Test
    void theManagerLinkReportsTheManagerGoneOnce() throws Exception {
        ControlChannel.Session session = channel.newSession();
        Recorder peer = new Recorder();
        session.attach(peer);
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        ManagerLink link = ManagerLink.fromEnvironment(Map.of("STARLING_MANAGER_PID", Long.toString(parent),
                "STARLING_WORKER_SLOT", "0", ControlChannel.ENV_SOCKET, socket.toString(),
                ControlChannel.ENV_TOKEN, session.token())).orElseThrow();
        link.connect();
        CountDownLatch gone = new CountDownLatch(1);
        link.onManagerGone(gone::countDown);
        link.ready();
        assertEquals("line:ready", peer.next("the link's ready"));
        assertTrue(link.managerAlive());
        channel.close();
        assertTrue(gone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "onManagerGone did not run after the channel closed");
        assertFalse(link.managerAlive(), "the manager counts as gone once its connection ended");
        CountDownLatch late = new CountDownLatch(1);
        link.onManagerGone(late::countDown);
        assertEquals(0, late.getCount(), "an action registered after the end runs at once");
    }

    @Test
    void aWorkerThatCannotReachItsManagerEndsAndCannotSend() throws Exception {
        FakeWorker orphan = new FakeWorker("0".repeat(64));
        channel.close();
        FakeWorker late = new FakeWorker("1".repeat(64));
        late.awaitEnded("when there was no socket to connect to");
        assertThrows(IOException.class, () -> late.client.send(ControlChannel.READY));
        orphan.awaitEnded("when the manager's channel closed");
    }

    @Test
    void aSocketThatCannotBeCreatedSaysWhereAndWhy() {
        Path nowhere = dir.resolve("missing").resolve("x.control");
        IOException e = assertThrows(IOException.class, () -> ControlChannel.open(nowhere));
        assertTrue(e.getMessage().startsWith("cannot create the control socket " + nowhere + ": "), e.getMessage());
    }

    @Test
    void linesAreSplitWhereverTheReadsEnd() throws Exception {
        Pipe pipe = Pipe.open();
        ControlLines lines = new ControlLines();
        pipe.sink().write(ByteBuffer.wrap("rea".getBytes(StandardCharsets.UTF_8)));
        lines.readFrom(pipe.source());
        assertNull(lines.next());
        pipe.sink().write(ByteBuffer.wrap("dy\nretire\nhel".getBytes(StandardCharsets.UTF_8)));
        lines.readFrom(pipe.source());
        assertEquals("ready", lines.next());
        assertEquals("retire", lines.next());
        assertNull(lines.next());
        String longest = "é".repeat(ControlChannel.MAX_LINE_BYTES / 2 - 2);
        pipe.sink().write(ByteBuffer.wrap(("lo\n" + longest + "\n").getBytes(StandardCharsets.UTF_8)));
        lines.readFrom(pipe.source());
        assertEquals("hello", lines.next());
        lines.readFrom(pipe.source());
        assertEquals(longest, lines.next(), "a line of up to the limit passes whole");
        pipe.sink().write(ByteBuffer.wrap("y".repeat(ControlChannel.MAX_LINE_BYTES + 1).getBytes(StandardCharsets.UTF_8)));
        lines.readFrom(pipe.source());
        assertThrows(ProtocolException.class, lines::next);
    }

    @Test
    void aLineWithABreakOrOverTheLimitCannotBeSent() {
        assertThrows(IllegalArgumentException.class, () -> ControlLines.encode("two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> ControlLines.encode("x".repeat(ControlChannel.MAX_LINE_BYTES + 1)));
        assertEquals(ControlChannel.MAX_LINE_BYTES + 1, ControlLines.encode("x".repeat(ControlChannel.MAX_LINE_BYTES)).length);
    }

    @Test
    void workerOutputIsCopiedLineByLineWithThePidInFront() throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        byte[] longLine = "z".repeat(WorkerOutput.MAX_LINE_BYTES + 3).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes("one\n@starling:retire\n\n".getBytes(StandardCharsets.UTF_8));
        input.writeBytes(longLine);
        input.writeBytes("\nlast words".getBytes(StandardCharsets.UTF_8));
        WorkerOutput.copyLines(new ByteArrayInputStream(input.toByteArray()), new PrintStream(copy, true),
                "[worker 7] ".getBytes(StandardCharsets.US_ASCII));
        assertEquals("[worker 7] one\n[worker 7] @starling:retire\n[worker 7] \n"
                + "[worker 7] " + "z".repeat(WorkerOutput.MAX_LINE_BYTES) + "\n[worker 7] zzz\n"
                + "[worker 7] last words\n", copy.toString(StandardCharsets.UTF_8));
    }
}
