package dev.starling.http.websocket.internal;

import dev.starling.http.websocket.WebSocketEndpoint;
import dev.starling.http.websocket.WebSocketSession;
import java.io.IOException;

/**
 * The built-in {@code echo} endpoint: sends every text and binary message back as it came. The
 * {@code websocket} process mounts it at {@code /}; with {@code http1}, {@code --ws-endpoint echo}
 * mounts it at {@code /echo}.
 */
public final class EchoEndpoint implements WebSocketEndpoint {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public void onText(WebSocketSession session, String text) throws IOException {
        session.sendText(text);
    }

    @Override
    public void onBinary(WebSocketSession session, byte[] data) throws IOException {
        session.sendBinary(data);
    }
}
