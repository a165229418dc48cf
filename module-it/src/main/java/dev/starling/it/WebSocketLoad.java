package dev.starling.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket echo load client: {@code --clients} connections, each sending {@code --messages}
 * binary messages of {@code --size} bytes with up to {@code --window} unanswered at a time, and
 * checking that every echo comes back whole and in order. Prints messages echoed per second.
 *
 * <pre>
 * java -p module-it/target/classes -m dev.starling.it/dev.starling.it.WebSocketLoad \
 *     --port 8080 --clients 100 --messages 10000 --size 64 --window 1
 * </pre>
 */
public final class WebSocketLoad {

    /**
     * What one run did.
     *
     * @param echoed  messages that came back intact
     * @param seconds wall time from the first connection to the last echo
     */
    public record Result(long echoed, double seconds) {
        public double perSecond() {
            return echoed / seconds;
        }
    }

    private WebSocketLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        int clients = 1;
        int messages = 10_000;
        int size = 64;
        int window = 1;
        String path = "/";
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--clients" -> clients = Integer.parseInt(value);
                case "--messages" -> messages = Integer.parseInt(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--window" -> window = Integer.parseInt(value);
                case "--path" -> path = value;
                default -> throw new IllegalArgumentException("unknown flag " + args[i]
                        + "; known: --host --port --clients --messages --size --window --path");
            }
        }
        Result r = run(host, port, path, clients, messages, size, window);
        System.out.printf("%d clients x %d messages of %d bytes, window %d: %d echoed in %.2f s = %.0f messages/s%n",
                clients, messages, size, window, r.echoed(), r.seconds(), r.perSecond());
    }

    /**
     * Runs the load and waits for every client.
     *
     * @throws IOException when a client fails, or an echo is missing, changed or out of order
     */
    public static Result run(String host, int port, String path, int clients, int messages, int size, int window)
            throws Exception {
        AtomicLong echoed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (WebSocketClient client = WebSocketClient.connect(host, port, path)) {
                    echoed.addAndGet(echo(client, messages, Math.max(8, size), window));
                    client.sendClose(1000);
                    client.receiveMessage();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IOException(failures.size() + " of " + clients + " clients failed; the first: " + failures.getFirst(),
                    failures.getFirst());
        }
        return new Result(echoed.get(), seconds);
    }

    /** Sends {@code messages} numbered messages with a window, checks each echo; returns the count echoed. */
    private static long echo(WebSocketClient client, int messages, int size, int window) throws IOException {
        byte[] payload = new byte[size];
        int sent = 0;
        int received = 0;
        while (received < messages) {
            while (sent < messages && sent - received < window) {
                ByteBuffer.wrap(payload).putLong(0, sent);
                client.write(WebSocketClient.BINARY, payload);
                sent++;
            }
            client.flush();
            WebSocketClient.Frame f = client.receiveMessage();
            if (f.opcode() != WebSocketClient.BINARY || f.payload().length != size
                    || ByteBuffer.wrap(f.payload()).getLong(0) != received) {
                throw new IOException("echo " + received + " is wrong: opcode " + f.opcode() + ", "
                        + f.payload().length + " bytes" + (f.opcode() == WebSocketClient.CLOSE ? ", close code " + f.closeCode() : ""));
            }
            received++;
        }
        return received;
    }
}
