package dev.starling.http.internal;

import static java.lang.System.Logger.Level.INFO;

import dev.starling.http.Handler;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.Providers;
import dev.starling.process.StreamService;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The {@code http1} protocol: HTTP/1.0 and HTTP/1.1 (RFC 9112) over any stream transport,
 * answering with the {@link Handler} selected by {@code --handler}.
 *
 * <p>Settings (see {@link Http1Settings} for bounds): {@code max-request-line} (default 8192),
 * {@code max-header-size} (default 8192), {@code header-timeout} (10 s), {@code body-timeout} (30 s),
 * {@code max-keepalive-reqs} (1000), {@code access-log} (false),
 * {@code max-body-size} (default 10485760), {@code keepalive-timeout} in seconds (default 5),
 * {@code handler} (default {@code welcome}), {@code route} ({@code /PATH=NAME} pairs separated by
 * {@code ,}, see {@link PathMounts}; then {@code handler} answers only the paths no route matches,
 * and without it those get 404); and for WebSocket upgrades on mounted paths,
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
     * @throws IllegalArgumentException for an invalid setting, when no handler has a name
     *         that {@code --handler} or {@code --route} asks for (the message lists the available
     *         ones), or when the server name holds characters a header value cannot
     * @throws IllegalStateException when two handlers claim a name that is asked for
     * @throws java.util.ServiceConfigurationError when a handler cannot be instantiated
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
        Handler handler = defaultHandler != null && context.setting("handler").isEmpty() && context.setting("route").isEmpty()
                ? defaultHandler : handler(context, settings);
        String serverName = serverName(context);
        ConnectionUpgrade upgrade = WebSocketUpgrade.from(context, defaultMounts);
        LOG.log(INFO, () -> "worker pid " + ProcessHandle.current().pid() + ": " + protocol + " serving "
                + (handler instanceof PathMounts mounts ? "routes " + mounts : "handler '" + handler.name() + "' ("
                + handler.getClass().getName() + ")") + ", max request line " + settings.maxRequestLine()
                + ", max header size " + settings.maxHeaderSize()
                + ", max body size " + settings.maxBodySize() + ", keep-alive " + settings.keepAliveTimeout().toSeconds()
                + " s, header timeout " + settings.headerTimeout().toSeconds() + " s, body timeout "
                + settings.bodyTimeout().toSeconds() + " s, max keep-alive requests " + settings.maxKeepAliveRequests()
                + ", access log " + (settings.accessLog() ? "on" : "off"));
        boolean onEventLoop = Http1Connection.servesOnEventLoop(handler, settings);
        return new StreamService() {
            @Override
            public void serve(dev.starling.process.Connection connection) throws java.io.IOException {
                new Http1Connection(connection, settings, handler, serverName, upgrade).serve();
            }

            @Override
            public boolean servesOnEventLoop() {
                return onEventLoop;
            }
        };
    }

    /** Reads the settings and finds the handlers as {@link #prepare} does, so the manager can refuse to start. */
    @Override
    public void check(ProcessContext context) {
        handler(context, Http1Settings.from(context));
        serverName(context);
        WebSocketUpgrade.from(context, null);
    }

    /** The handler {@code --handler} names, or the {@link PathMounts} of {@code --route}. */
    private static Handler handler(ProcessContext context, Http1Settings settings) {
        List<Handler> all = Providers.all(ServiceLoader.load(context.layer(), Handler.class), "handler");
        Optional<String> routes = context.setting("route");
        if (routes.isEmpty()) {
            return select(all, settings.handler(), "--handler");
        }
        List<PathMounts.Mount> mounts = PathMounts.parse(routes.get()).stream()
                .map(route -> new PathMounts.Mount(route.prefix(), select(all, route.handlerName(), "--route " + route)))
                .toList();
        Handler rest = context.setting("handler").isPresent() ? select(all, settings.handler(), "--handler") : null;
        return new PathMounts(mounts, rest);
    }

    private static String serverName(ProcessContext context) {
        String serverName = context.serverName();
        if (serverName.isBlank() || Ascii.invalidFieldValueIndex(serverName) >= 0) {
            throw new IllegalArgumentException("server name '" + serverName.replaceAll("\\p{Cntrl}", "?")
                    + "' cannot be sent as a Server header value (RFC 9110 §5.5)");
        }
        return serverName;
    }

    /** The one handler called {@code name}, failing loudly, with {@code flag} in the message, as the class documentation says. */
    static Handler select(List<Handler> all, String name, String flag) {
        try {
            return Providers.byName(all, Handler::name, "handler", name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + flag + ")", e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (" + flag + ")", e);
        }
    }
}
