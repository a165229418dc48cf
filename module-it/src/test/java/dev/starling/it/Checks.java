package dev.starling.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Soft assertions: a test that checks several properties of one run collects every one that
 * does not hold and fails once, naming them all, so one failure does not hide the others.
 */
final class Checks {

    private final List<String> failed = new ArrayList<>();

    /** Records {@code what} unless {@code condition} holds. */
    void check(boolean condition, Supplier<String> what) {
        if (!condition) {
            failed.add(what.get());
        }
    }

    /** Waits up to {@code timeout} for {@code condition}; records {@code what} (evaluated then) if it stays false. */
    void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        await(timeout, Duration.ofMillis(10), condition, what);
    }

    /** {@link #await(Duration, BooleanSupplier, Supplier)}, polling every {@code interval}. */
    void await(Duration timeout, Duration interval, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        if (Procs.until(timeout, interval, condition).isEmpty()) {
            failed.add("timed out after " + timeout + " waiting for " + what.get());
        }
    }

    /** Fails naming every property that did not hold, with {@code context} (e.g. the server's log) once at the end. */
    void assertAllHeld(Supplier<String> context) {
        if (!failed.isEmpty()) {
            StringBuilder message = new StringBuilder(failed.size() + " propert" + (failed.size() == 1 ? "y" : "ies") + " did not hold:");
            for (int i = 0; i < failed.size(); i++) {
                message.append("\n  ").append(i + 1).append(". ").append(failed.get(i));
            }
            throw new AssertionError(message.append("\n").append(context.get()).toString());
        }
    }
}
