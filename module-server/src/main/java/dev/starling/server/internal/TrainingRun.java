package dev.starling.server.internal;

import dev.starling.process.Process;
import dev.starling.process.Providers;
import dev.starling.process.StreamService;
import dev.starling.server.Server;
import dev.starling.worker.Listener;
import dev.starling.worker.Worker;
import dev.starling.worker.WorkerConfig;
import dev.starling.worker.supervisor.WorkerGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The training run for the JDK's AOT cache ({@code -XX:AOTCacheOutput}, JDK 25): does what a
 * worker does at start and for its first requests (connect to a stand-in manager's control
 * socket, find providers, prepare {@code http1}, bind, accept, parse, answer), on a loopback
 * port of its own, then exits. The build (module-cli's
 * aot-cache profile) runs it once at package time; every worker then maps the cache
 * read-only, starts faster, and shares those pages with the other workers.
 */
public final class TrainingRun {

    private static final int REQUESTS = 2000;

    private TrainingRun() {
    }

    public static void main(String[] args) throws Exception {
        // A worker's first act: its control connection to the manager (a JDK UNIX socket).
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("starling-training");
        try {
            dev.starling.worker.supervisor.ManagerLink.rehearse(dir);
        } finally {
            java.nio.file.Files.deleteIfExists(dir);
        }
        WorkerMain.WorkerContext context = new WorkerMain.WorkerContext(Map.of(), ModuleLayer.boot(),
                Server.NAME + "/" + Server.version());
        Process http = Providers.byName(ServiceLoader.load(Process.class), Process::name, "protocol", "http1");
        StreamService service = http.prepare(context);
        Worker tcp = Providers.byName(ServiceLoader.load(Worker.class), Worker::name, "transport", "tcp");
        Listener listener = tcp.bind(new WorkerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                WorkerConfig.DEFAULT_BACKLOG, WorkerConfig.ListenMode.REUSEPORT));
        WorkerGroup group = new WorkerGroup(List.of(listener), service, Duration.ofMillis(100), Duration.ofSeconds(5), () -> true);
        Thread serving = Thread.ofPlatform().start(() -> {
            try {
                group.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: starling-training\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
            int served = 0;
            while (served < REQUESTS) {
                // A new connection whenever the server ends one (e.g. its keep-alive request limit).
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    boolean open = true;
                    while (open && served < REQUESTS) {
                        out.write(request);
                        open = readResponse(in);
                        served++;
                    }
                }
            }
            System.out.println("trained on " + served + " requests");
        } finally {
            // The accept thread is not a daemon: the JVM (and the build) waits for the drain.
            group.drain();
            serving.join();
        }
    }

    /** Reads one response with a Content-Length body; returns whether the connection stays open. */
    private static boolean readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the training server closed the connection inside a response");
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        in.readNBytes(length);
        return !lower.contains("\r\nconnection: close\r\n");
    }
}
