package dev.starling.http.internal;

import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.StreamService;

/**
 * The {@code websocket} protocol: WebSocket (RFC 6455) over HTTP/1.1, usable with no code. It is
 * {@code http1} with the built-in {@code echo} endpoint mounted at {@code /} (text and binary
 * messages come back as they were sent), and, for plain HTTP requests, a page at {@code /} that
 * opens a WebSocket to the server and checks the echo ({@link EchoPageHandler}).
 *
 * <p>Settings: those of {@link Http1Process}; {@code ws-endpoint} replaces the default mount
 * {@code /=echo}, and {@code handler} replaces the page.
 */
public final class WebSocketProcess implements Process {

    /** The mount when the operator names none: the built-in echo endpoint at the root. */
    static final String DEFAULT_MOUNT = "/=echo";

    @Override
    public String name() {
        return "websocket";
    }

    /**
     * Reads the settings and finds the endpoints (and the handler, if one is named).
     *
     * @throws IllegalArgumentException for an invalid setting, or a handler or endpoint that no
     *         provider has (the message lists the available ones)
     */
    @Override
    public StreamService prepare(ProcessContext context) {
        return Http1Process.prepare(context, name(), new EchoPageHandler(), DEFAULT_MOUNT);
    }
}
