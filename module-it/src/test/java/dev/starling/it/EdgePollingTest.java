package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker's connections wait on its edge-triggered epoll set (EdgePoller), seen from
 * outside: the kernel lists every epoll registration in /proc/PID/fdinfo, with its event mask.
 * A keep-alive connection of a real server must be registered there once, with EPOLLET; with
 * {@code -Dstarling.edgePoller=false} none is, and the server still serves.
 */
class EdgePollingTest {

    private static final long EPOLLET = 1L << 31;

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aKeepAliveConnectionIsRegisteredOnceEdgeTriggered() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1");
        try (Socket socket = connect(server)) {
            long worker = exchangeTwice(socket);
            List<Long> masks = epollMasksOf(worker, socketInode(worker, socket));
            assertEquals(1, masks.size(), "registrations of the connection's socket: " + masks);
            assertTrue((masks.get(0) & EPOLLET) != 0, "edge-triggered: mask " + Long.toHexString(masks.get(0)));
        }
    }

    @Test
    void withThePollerOffConnectionsTakeTheJdkPath() throws Exception {
        ServerProcess server = servers.launch(ServerProcess.command(List.of("--port", "0", "--worker", "1")),
                Map.of("STARLING_WORKER_OPTS", "-Dstarling.edgePoller=false"));
        server.awaitServing(Duration.ofSeconds(60));
        try (Socket socket = connect(server)) {
            long worker = exchangeTwice(socket);
            List<Long> masks = epollMasksOf(worker, socketInode(worker, socket));
            // The JDK registers a socket one-shot while a read waits, and never edge-triggered.
            assertFalse(masks.stream().anyMatch(m -> (m & EPOLLET) != 0), "masks " + masks);
        }
    }

    private static Socket connect(ServerProcess server) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Two requests on one connection, which stays open; returns the worker's pid. */
    private static long exchangeTwice(Socket socket) throws IOException {
        long pid = 0;
        for (int i = 0; i < 2; i++) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = HttpExchange.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            int length = Integer.parseInt(field(head, "content-length"));
            socket.getInputStream().readNBytes(length);
            pid = Long.parseLong(field(head, "x-worker-pid"));
        }
        return pid;
    }

    private static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        throw new AssertionError("no " + name + " in " + head);
    }

    /**
     * The inode of the worker's end of {@code socket}: the socket in /proc/net/tcp(6) whose local
     * port is the client's remote port and whose remote port is the client's local port.
     */
    private static long socketInode(long worker, Socket socket) throws IOException {
        String local = String.format("%04X", socket.getPort());
        String remote = String.format("%04X", socket.getLocalPort());
        for (String table : List.of("tcp", "tcp6")) { // a dual-stack listener's connections are in tcp6
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(worker), "net", table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(":" + local) && f[2].endsWith(":" + remote)) {
                    return Long.parseLong(f[9]);
                }
            }
        }
        throw new AssertionError("the worker's socket for client port " + socket.getLocalPort() + " is not in /proc/net/tcp or tcp6");
    }

    /** The event masks with which the worker's epoll sets hold the socket with {@code inode}. */
    private static List<Long> epollMasksOf(long worker, long inode) throws IOException {
        Path proc = Path.of("/proc", Long.toString(worker));
        int fd = -1;
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path link : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(link).toString().equals("socket:[" + inode + "]")) {
                        fd = Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException closedMeanwhile) {
                    // another descriptor went away while we listed them
                }
            }
        }
        assertTrue(fd >= 0, "the worker holds the socket with inode " + inode);
        List<Long> masks = new ArrayList<>();
        try (Stream<Path> infos = Files.list(proc.resolve("fdinfo"))) {
            for (Path info : infos.toList()) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(info);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                for (String line : lines) {
                    // "tfd:       42 events: 80002005 data: 2a  pos:0 ino:... sdev:..."
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 4 && f[0].equals("tfd:") && Integer.parseInt(f[1]) == fd && f[2].equals("events:")) {
                        masks.add(Long.parseLong(f[3], 16));
                    }
                }
            }
        }
        return masks;
    }
}
