package dev.starling.http.websocket.internal;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import dev.starling.http.Headers;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.http.internal.Ascii;
import dev.starling.http.internal.ConnectionUpgrade;
import dev.starling.http.websocket.WebSocketEndpoint;
import dev.starling.process.Connection;
import dev.starling.process.ProcessContext;
import dev.starling.process.Providers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The switch from HTTP/1.1 to WebSocket for the endpoints mounted in this worker: a request for a
 * mounted path that carries {@code Upgrade: websocket} gets the handshake and, when it passes, a
 * {@link Session}; other requests go on to the HTTP handler.
 *
 * <p>Mounts come from the {@code ws-endpoint} setting ({@code --ws-endpoint}, repeatable): a
 * comma-separated list of {@code NAME} (mounted at the endpoint's own {@link WebSocketEndpoint#path()})
 * or {@code PATH=NAME}.
 */
public final class WebSocketUpgrade implements ConnectionUpgrade {

    private static final System.Logger LOG = System.getLogger(WebSocketUpgrade.class.getName());

    private static final Response INTERNAL_ERROR = Response.of(Status.INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");

    private final Map<String, WebSocketEndpoint> mounts;
    private final WebSocketSettings settings;

    private WebSocketUpgrade(Map<String, WebSocketEndpoint> mounts, WebSocketSettings settings) {
        this.mounts = Map.copyOf(mounts);
        this.settings = settings;
    }

    /** The upgrade for {@code mounts} (exact path to endpoint), for embedding and tests. */
    public static WebSocketUpgrade of(Map<String, WebSocketEndpoint> mounts, WebSocketSettings settings) {
        return new WebSocketUpgrade(mounts, settings);
    }

    /**
     * The upgrade for the endpoints the context's {@code ws-endpoint} setting mounts, or for
     * {@code defaultMounts} when the setting is absent; {@code null} when nothing is mounted.
     *
     * @throws IllegalArgumentException naming the flag, for a malformed mount, a path mounted twice,
     *         an endpoint no provider has (the message lists those available) or a bad WebSocket setting
     */
    public static WebSocketUpgrade from(ProcessContext context, String defaultMounts) {
        WebSocketSettings settings = WebSocketSettings.from(context);
        String spec = context.setting("ws-endpoint").orElse(defaultMounts);
        if (spec == null || spec.isBlank()) {
            return null;
        }
        List<WebSocketEndpoint> all = ServiceLoader.load(context.layer(), WebSocketEndpoint.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        Map<String, WebSocketEndpoint> mounts = new LinkedHashMap<>();
        for (String mount : spec.split(",")) {
            String trimmed = mount.trim();
            int eq = trimmed.indexOf('=');
            String name = trimmed.substring(eq + 1).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("--ws-endpoint must be NAME or PATH=NAME, was '" + trimmed + "'");
            }
            WebSocketEndpoint endpoint = Providers.byName(all, WebSocketEndpoint::name, "WebSocket endpoint", name);
            String path = eq < 0 ? endpoint.path() : trimmed.substring(0, eq).trim();
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("--ws-endpoint path must start with '/', was '" + path + "'");
            }
            if (mounts.putIfAbsent(path, endpoint) != null) {
                throw new IllegalArgumentException("--ws-endpoint mounts two endpoints at " + path);
            }
        }
        LOG.log(INFO, () -> "worker pid " + ProcessHandle.current().pid() + ": WebSocket endpoints "
                + mounts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().name()).collect(Collectors.joining(", "))
                + ", max message " + settings.maxMessage() + " bytes, idle timeout " + settings.idleTimeout().toSeconds()
                + " s, permessage-deflate " + (settings.deflate() ? "on" : "off"));
        return new WebSocketUpgrade(mounts, settings);
    }

    @Override
    public boolean wants(String path, Headers headers) {
        // Most requests carry no Upgrade field: one length comparison per field settles them.
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (name.length() == 7 && Ascii.equalsIgnoreCase(name, "Upgrade")
                    && Ascii.listContains(headers.value(i), "websocket")) {
                return mounts.containsKey(path);
            }
        }
        return false;
    }

    @Override
    public Response takeOver(Request request, Connection connection, ByteBuffer readAhead) throws IOException {
        WebSocketEndpoint endpoint = mounts.get(request.path());
        Handshake.Outcome outcome;
        try {
            outcome = Handshake.answer(request, endpoint, settings);
        } catch (RuntimeException e) {
            // The endpoint's origin check or subprotocol choice failed: a 500 that reveals nothing.
            LOG.log(WARNING, () -> "connection " + connection.id() + ": WebSocket endpoint '" + endpoint.name()
                    + "' failed in the handshake (request id " + request.requestId() + "); answered 500", e);
            return INTERNAL_ERROR;
        }
        return switch (outcome) {
            case Handshake.Refused refused -> refused.response();
            case Handshake.Accepted accepted -> {
                connection.write(ByteBuffer.wrap(accepted.response()));
                PerMessageDeflate deflate = accepted.deflate().map(PerMessageDeflate::new).orElse(null);
                new Session(connection, endpoint, request, accepted.subprotocol(), settings, deflate).serve(readAhead);
                yield null;
            }
        };
    }
}
