package dev.starling.http.websocket.internal;

import dev.starling.process.ProcessContext;
import java.time.Duration;

/**
 * The WebSocket settings of a worker process, read once.
 *
 * @param maxMessage  {@code --ws-max-message}: the largest message in bytes, after reassembly and
 *                    after inflating; larger fails with 1009. Default 1048576 (1 MiB), 1..1073741824.
 * @param idleTimeout {@code --ws-idle-timeout}: after this long without a byte from the client the
 *                    server sends a ping; when nothing arrives for as long again, it closes with 1001.
 *                    A send that has not finished after this long (the client stopped reading) ends
 *                    the connection. Time spent in endpoint callbacks does not count as silence. Default 60 s, 1..86400.
 * @param deflate     {@code --ws-deflate}: whether permessage-deflate (RFC 7692) is accepted when a
 *                    client offers it; default true.
 */
public record WebSocketSettings(int maxMessage, Duration idleTimeout, boolean deflate) {

    static final int DEFAULT_MAX_MESSAGE = 1 << 20;
    static final int DEFAULT_IDLE_SECONDS = 60;

    public WebSocketSettings {
        if (maxMessage < 1) {
            throw new IllegalArgumentException("max message must be at least 1, was " + maxMessage);
        }
        if (!idleTimeout.isPositive()) {
            throw new IllegalArgumentException("idle timeout must be positive, was " + idleTimeout);
        }
    }

    /**
     * Reads the settings from {@code context}, applying the documented defaults.
     *
     * @throws IllegalArgumentException naming the flag, for a value out of bounds or not a number
     */
    public static WebSocketSettings from(ProcessContext context) {
        int maxMessage = context.intSetting("ws-max-message", DEFAULT_MAX_MESSAGE, 1, 1 << 30);
        int idle = context.intSetting("ws-idle-timeout", DEFAULT_IDLE_SECONDS, 1, 86_400);
        String deflate = context.setting("ws-deflate").map(String::trim).orElse("true");
        if (!deflate.equals("true") && !deflate.equals("false")) {
            throw new IllegalArgumentException("--ws-deflate must be true or false, was '" + deflate + "'");
        }
        return new WebSocketSettings(maxMessage, Duration.ofSeconds(idle), Boolean.parseBoolean(deflate));
    }

    static WebSocketSettings defaults() {
        return new WebSocketSettings(DEFAULT_MAX_MESSAGE, Duration.ofSeconds(DEFAULT_IDLE_SECONDS), true);
    }
}
