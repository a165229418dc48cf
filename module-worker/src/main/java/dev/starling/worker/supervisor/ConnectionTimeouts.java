package dev.starling.worker.supervisor;

import dev.starling.process.Connection;
import java.time.Duration;
import java.util.Objects;

/**
 * The timeouts a {@link WorkerGroup} applies to each of its connections that is not
 * {@link Connection#idle() idle}, measured by progress, not by total length; {@link Duration#ZERO}
 * turns one off. Each ends one connection's exchange or the connection, never the worker.
 *
 * @param request an exchange that reads and sends nothing for this long ends: the worker
 *                interrupts the thread serving it and {@link Connection#exchangeTimedOut()} says
 *                so to its protocol, which answers if it still can and closes; if the exchange
 *                goes on a short grace later, the worker closes the connection
 *                ({@code --request-timeout}); counted in {@link WorkerGroup.Stats#requestTimeouts()}
 * @param send    a write that sends nothing for this long closes its connection: the client
 *                stopped reading ({@code --send-timeout}); counted in {@link WorkerGroup.Stats#sendTimeouts()}
 */
public record ConnectionTimeouts(Duration request, Duration send) {

    /** No timeouts. */
    public static final ConnectionTimeouts NONE = new ConnectionTimeouts(Duration.ZERO, Duration.ZERO);

    public ConnectionTimeouts {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(send, "send");
        if (request.isNegative() || send.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative, were " + request + " and " + send);
        }
    }
}
