package dev.starling.http.internal;

import static java.lang.System.Logger.Level.INFO;

import dev.starling.http.Handler;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.StreamService;
import java.util.ServiceLoader;

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

    private static final System.Logger LOG = System.getLogger(WebSocketProcess.class.getName());

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
        Http1Settings settings = Http1Settings.from(context);
        Handler handler = context.setting("handler").isPresent()
                ? Http1Process.select(ServiceLoader.load(context.layer(), Handler.class).stream()
                        .map(ServiceLoader.Provider::get).toList(), settings.handler())
                : new EchoPageHandler();
        ConnectionUpgrade upgrade = WebSocketUpgrade.from(context, DEFAULT_MOUNT);
        String serverName = context.serverName();
        LOG.log(INFO, () -> "worker pid " + ProcessHandle.current().pid() + ": websocket serving handler '"
                + handler.name() + "' for plain HTTP requests");
        return connection -> new Http1Connection(connection, settings, handler, serverName, upgrade).serve();
    }
}
