package dev.starling.http.internal;

import static java.lang.System.Logger.Level.INFO;

import dev.starling.http.Handler;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.Providers;
import dev.starling.process.StreamService;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The {@code http1} protocol: HTTP/1.0 and HTTP/1.1 (RFC 9112) over any stream transport,
 * answering with the {@link Handler} selected by {@code --handler}.
 *
 * <p>Settings (see {@link Http1Settings} for bounds): {@code max-request-line} (default 8192),
 * {@code max-header-size} (default 8192), {@code header-timeout} (10 s), {@code body-timeout} (30 s),
 * {@code max-keepalive-reqs} (1000), {@code access-log} (false),
 * {@code max-body-size} (default 10485760), {@code keepalive-timeout} in seconds (default 5),
 * {@code handler} (default {@code welcome}); and for WebSocket upgrades on mounted paths,
 * {@code ws-endpoint} (none by default), {@code ws-max-message}, {@code ws-idle-timeout} and
 * {@code ws-deflate} (see {@link WebSocketUpgrade}).
 */
public final class Http1Process implements Process {

    private static final System.Logger LOG = System.getLogger(Http1Process.class.getName());

    @Override
    public String name() {
        return "http1";
    }

    /**
     * Reads the settings and finds the handler in the context's layer.
     *
     * @throws IllegalArgumentException for an invalid setting, when no handler has the name
     *         (the message lists the available ones), or when the server name holds characters
     *         a header value cannot
     * @throws IllegalStateException when two handlers claim the name
     */
    @Override
    public StreamService prepare(ProcessContext context) {
        return prepare(context, name(), null, null);
    }

    /**
     * Prepares HTTP/1.1 as {@link #prepare(ProcessContext)} documents, for {@code http1} and for the
     * protocols that are HTTP/1.1 with other defaults ({@code websocket}).
     *
     * @param protocol       the protocol's name, for the log line
     * @param defaultHandler the handler when {@code --handler} is not given, or {@code null} for
     *                       the one named by default ({@code welcome})
     * @param defaultMounts  the WebSocket mounts when {@code --ws-endpoint} is not given, or
     *                       {@code null} for none
     */
    static StreamService prepare(ProcessContext context, String protocol, Handler defaultHandler, String defaultMounts) {
        Http1Settings settings = Http1Settings.from(context);
        Handler handler;
        if (defaultHandler != null && context.setting("handler").isEmpty()) {
            handler = defaultHandler;
        } else {
            List<Handler> handlers = ServiceLoader.load(context.layer(), Handler.class).stream()
                    .map(ServiceLoader.Provider::get)
                    .toList();
            handler = select(handlers, settings.handler());
        }
        String serverName = context.serverName();
        if (serverName.isBlank() || Ascii.invalidFieldValueIndex(serverName) >= 0) {
            throw new IllegalArgumentException("server name '" + serverName.replaceAll("\\p{Cntrl}", "?")
                    + "' cannot be sent as a Server header value (RFC 9110 §5.5)");
        }
        ConnectionUpgrade upgrade = WebSocketUpgrade.from(context, defaultMounts);
        LOG.log(INFO, () -> "worker pid " + ProcessHandle.current().pid() + ": " + protocol + " serving handler '"
                + handler.name() + "' (" + handler.getClass().getName() + "), max request line " + settings.maxRequestLine()
                + ", max header size " + settings.maxHeaderSize()
                + ", max body size " + settings.maxBodySize() + ", keep-alive " + settings.keepAliveTimeout().toSeconds()
                + " s, header timeout " + settings.headerTimeout().toSeconds() + " s, body timeout "
                + settings.bodyTimeout().toSeconds() + " s, max keep-alive requests " + settings.maxKeepAliveRequests()
                + ", access log " + (settings.accessLog() ? "on" : "off"));
        return connection -> new Http1Connection(connection, settings, handler, serverName, upgrade).serve();
    }

    /** The one handler called {@code name}, failing loudly as the class documentation says. */
    static Handler select(List<Handler> all, String name) {
        return Providers.byName(all, Handler::name, "handler", name);
    }
}
