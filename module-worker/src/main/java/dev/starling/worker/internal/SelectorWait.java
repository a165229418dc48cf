package dev.starling.worker.internal;

import java.io.IOException;
import java.nio.channels.Selector;
import java.time.Duration;

/**
 * Non-blocking attempts on a channel registered with a selector, repeated until one yields or a
 * deadline passes: how the listeners honour the accept deadline without ever flipping a
 * socket's blocking flag (see {@link TcpListener} for why that matters).
 */
final class SelectorWait {

    /** One non-blocking try: the result, or null when nothing is ready. */
    @FunctionalInterface
    interface Attempt<T> {
        T tryOnce() throws IOException;
    }

    private SelectorWait() {
    }

    /** The first non-null result of {@code attempt}, or null once {@code timeout} has passed. */
    static <T> T until(Selector selector, Duration timeout, Attempt<T> attempt) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T result = attempt.tryOnce();
            if (result != null) {
                return result;
            }
            long remainingMillis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (remainingMillis <= 0) {
                return null;
            }
            selector.select(remainingMillis);
            selector.selectedKeys().clear();
        }
    }

    /** Closes {@code resource} after {@code primary} failed, keeping a close failure as suppressed. */
    static void closeAfterFailure(java.io.Closeable resource, Exception primary) {
        try {
            resource.close();
        } catch (IOException closeFailed) {
            primary.addSuppressed(closeFailed); // the first failure is what the operator needs to see
        }
    }
}
