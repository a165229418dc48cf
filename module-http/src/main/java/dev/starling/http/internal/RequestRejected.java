package dev.starling.http.internal;

import dev.starling.http.Status;
import java.io.IOException;
import java.io.Serial;

/**
 * A request the server answers with an error status and then closes the connection: bad syntax,
 * a limit exceeded, an unsupported version or coding. An {@link IOException} so that it can
 * leave the request body stream and reach the connection loop through a handler.
 *
 * <p>The message is sent to the client in the error body, so it names the rule or the limit
 * (and the flag that changes it) but never quotes request bytes.
 */
final class RequestRejected extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Status status;

    RequestRejected(Status status, String message) {
        super(message);
        this.status = status;
    }

    RequestRejected(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    static RequestRejected badRequest(String message) {
        return new RequestRejected(Status.BAD_REQUEST, message);
    }

    Status status() {
        return status;
    }
}
