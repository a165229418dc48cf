package dev.starling.it;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client on a thread of its own that opens a new connection for each request ({@code GET /}
 * with {@code Connection: close}) every {@code interval}, and records who answered or what
 * failed. Bounded: it stops after {@code maxRequests} or {@code maxTime}, or at {@link #close()}.
 */
final class Prober implements AutoCloseable {

    /** One request: when it started and ended ({@link System#nanoTime()}), the answering worker's pid (-1 on failure), the failure. */
    record Probe(long startNanos, long endNanos, long pid, String failure) {
        boolean failed() {
            return pid < 0;
        }
    }

    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    private Prober(int port, Duration interval, int maxRequests, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        thread = Thread.ofPlatform().daemon().name("prober :" + port).start(() -> {
            for (int i = 0; i < maxRequests && !stop && System.nanoTime() - deadline < 0; i++) {
                long start = System.nanoTime();
                try {
                    HttpExchange answer = HttpExchange.get(port, "/", Duration.ofSeconds(10));
                    probes.add(answer.status() == 200 ? new Probe(start, System.nanoTime(), answer.workerPid(), null)
                            : new Probe(start, System.nanoTime(), -1, "status " + answer.status()));
                } catch (IOException | RuntimeException | AssertionError e) {
                    probes.add(new Probe(start, System.nanoTime(), -1, e.toString()));
                }
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    static Prober start(int port, Duration interval, int maxRequests, Duration maxTime) {
        return new Prober(port, interval, maxRequests, maxTime);
    }

    List<Probe> probes() {
        return List.copyOf(probes);
    }

    boolean answeredBy(long pid) {
        return probes.stream().anyMatch(p -> p.pid() == pid);
    }

    /** When the first answer from {@code pid} arrived. */
    OptionalLong firstAnswerNanos(long pid) {
        return probes.stream().filter(p -> p.pid() == pid).mapToLong(Probe::endNanos).min();
    }

    long answeredBy(long pid, long fromNanos) {
        return probes.stream().filter(p -> p.pid() == pid && p.startNanos() - fromNanos >= 0).count();
    }

    List<Probe> failures() {
        return probes.stream().filter(Probe::failed).toList();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(30).toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the prober did not stop within 30 s");
        }
    }
}
