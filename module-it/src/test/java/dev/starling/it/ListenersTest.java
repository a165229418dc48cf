package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several listeners in one server, reached by real peers: curl over a UNIX socket and over
 * IPv6, socat to an abstract socket, and every worker serving every listener.
 */
class ListenersTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    /** Runs a peer program with {@code input} on its standard input; its output, or a failure naming it. */
    static String run(String input, String... command) throws IOException, InterruptedException {
        java.lang.Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed for this test (.ci/run installs it)", e);
        }
        try {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " finished");
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void curlReachesAUnixSocketWithTheModeAsked() throws Exception {
        Path socket = dir.resolve("web.sock");
        servers.start("--worker", "2", "--listen", "unix:" + socket, "--socket-mode", "660");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        String out = run("", "curl", "-sS", "-i", "--max-time", "20", "--unix-socket", socket.toString(), "http://localhost/");
        assertTrue(out.startsWith("HTTP/1.1 200"), out);
        assertTrue(out.contains("Served by worker pid"), out);
    }

    @Test
    void socatReachesAnAbstractSocket() throws Exception {
        String name = "starling-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        servers.start("--worker", "1", "--process", "echo", "--listen", "unix:@" + name);
        assertEquals("hello over an abstract socket\n",
                run("hello over an abstract socket\n", "socat", "-t", "5", "-T", "20", "-", "ABSTRACT-CONNECT:" + name));
    }

    @Test
    void curlReachesIpv6Loopback() throws Exception {
        ServerProcess server = servers.start("--worker", "1", "--listen", "[::1]:0");
        String out = run("", "curl", "-sS", "-i", "--max-time", "20", "http://[::1]:" + server.port() + "/");
        assertTrue(out.startsWith("HTTP/1.1 200"), out);
    }

    @Test
    void anyAddressIsDualStackUnlessIpv6Only() throws Exception {
        ServerProcess dual = servers.start("--worker", "1", "--listen", "[::]:0");
        assertEquals(200, HttpExchange.get(dual.port(), "/").status(), "an IPv4 peer reaches [::]");

        ServerProcess v6only = servers.start("--worker", "1", "--listen", "[::]:0", "--ipv6-only");
        String v6 = run("", "curl", "-sS", "-i", "--max-time", "20", "http://[::1]:" + v6only.port() + "/");
        assertTrue(v6.startsWith("HTTP/1.1 200"), v6);
        String v4 = run("", "curl", "-sS", "-i", "--max-time", "20", "http://127.0.0.1:" + v6only.port() + "/");
        assertTrue(v4.contains("Couldn't connect") || v4.contains("Connection refused") || v4.contains("Failed to connect"),
                "an IPv4 peer is refused with --ipv6-only: " + v4);
    }

    @Test
    void everyWorkerServesEveryListener() throws Exception {
        Path socket = dir.resolve("mixed.sock");
        // One connection per worker: a worker holding one takes no other, so the next goes to the other worker.
        ServerProcess server = servers.start("--worker", "2", "--worker-connections", "1", "--timeout-ms", "200",
                "--listen", "127.0.0.1:0", "--listen", "unix:" + socket);
        SocketAddress tcp = new InetSocketAddress("127.0.0.1", server.port());
        SocketAddress unix = UnixDomainSocketAddress.of(socket);
        try (KeepAlive first = new KeepAlive(tcp)) {
            long a = first.workerPid();
            try (KeepAlive second = new KeepAlive(unix)) {
                long b = second.workerPid();
                assertNotEquals(a, b, "the second connection went to the other worker");
                first.close();
                try (KeepAlive third = new KeepAlive(unix)) {
                    assertEquals(a, third.workerPid(), "worker " + a + " serves the UNIX socket too");
                    second.close();
                    try (KeepAlive fourth = new KeepAlive(tcp)) {
                        assertEquals(b, fourth.workerPid(), "worker " + b + " serves TCP too");
                    }
                }
            }
        }
    }

    @Test
    void reloadsKeepTheUnixSocketServingWithNoFailedRequest() throws Exception {
        Path socket = dir.resolve("reload.sock");
        ServerProcess server = servers.start("--worker", "2", "--timeout-ms", "500", "--listen", "unix:" + socket);
        SocketAddress unix = UnixDomainSocketAddress.of(socket);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        // The client runs until both reloads are done (bounded: 120 s, 100,000 requests), however
        // long a busy machine takes to start the new workers, so the reloads happen under its traffic.
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Thread client = Thread.ofPlatform().start(() -> {
            while (!stop.get() && System.nanoTime() < until && served.get() + failures.size() < 100_000) {
                try (KeepAlive one = new KeepAlive(unix)) {
                    one.workerPid();
                    served.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        });
        try {
            for (int i = 1; i <= 2; i++) {
                Thread.sleep(3000); // the schedule: a HUP 3 s after the start or the previous reload
                ServerProcess.signal(server.pid(), "HUP");
                int reloads = i;
                // The next HUP waits for this reload: one sent during a reload is not what this test is about.
                server.awaitLogged(Duration.ofSeconds(60), () -> count(server.output(), "reload done") == reloads,
                        "reload " + reloads + " to finish");
            }
            Thread.sleep(1000); // the schedule: one more second of traffic with the last generation
        } finally {
            stop.set(true);
            client.join(Duration.ofSeconds(40).toMillis());
        }
        assertTrue(!client.isAlive(), "the client stopped");
        assertEquals(List.of(), failures, "no request failed across the reloads");
        assertTrue(served.get() > 50, "requests were served: " + served.get());
        String out = run("", "curl", "-sS", "-i", "--max-time", "20", "--unix-socket", socket.toString(), "http://localhost/");
        assertTrue(out.startsWith("HTTP/1.1 200"), "the socket serves after the reloads: " + out);
    }

    @Test
    void aStaleSocketFileIsReplacedAndALiveOneRefused() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket)); // closed below: a file with nobody behind it
        }
        assertTrue(Files.exists(socket));
        servers.start("--worker", "1", "--listen", "unix:" + socket);
        ServerProcess second = servers.launch("--worker", "1", "--listen", "unix:" + socket);
        assertEquals(1, second.awaitExit(Duration.ofSeconds(60)));
        assertTrue(second.output().contains("server: UNIX socket " + socket + " is in use by a running server"), second.output());
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** A kept-alive HTTP/1.1 connection over TCP or a UNIX socket; {@link #workerPid} asks once. */
    private static final class KeepAlive implements AutoCloseable {
        private final SocketChannel channel;

        KeepAlive(SocketAddress address) throws IOException {
            channel = SocketChannel.open(address);
        }

        /** GET / and the X-Worker-Pid of the answer; the connection stays open. */
        long workerPid() throws IOException {
            ByteBuffer request = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            ByteBuffer in = ByteBuffer.allocate(16384);
            while (true) {
                if (channel.read(in) < 0) {
                    throw new IOException("the connection ended before a whole answer: "
                            + new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1));
                }
                String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                if (end >= 0 && length.find() && in.position() >= end + 4 + Integer.parseInt(length.group(1))) {
                    return HttpExchange.parse(java.util.Arrays.copyOf(in.array(), in.position())).workerPid();
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
