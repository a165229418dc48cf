/**
 * WebSocket (RFC 6455) for Starling applications: implement
 * {@link dev.starling.http.websocket.WebSocketEndpoint}, send on the
 * {@link dev.starling.http.websocket.WebSocketSession} it is given.
 *
 * <pre>{@code
 * public final class ChatEndpoint implements WebSocketEndpoint {
 *     private final Set<WebSocketSession> room = ConcurrentHashMap.newKeySet();
 *
 *     public String name() { return "chat"; }
 *     public void onOpen(WebSocketSession s) { room.add(s); }
 *     public void onText(WebSocketSession s, String text) throws IOException {
 *         for (WebSocketSession other : room) other.sendText(text);
 *     }
 *     public void onClose(WebSocketSession s, int code, String reason) { room.remove(s); }
 * }
 * // module-info.java: provides dev.starling.http.websocket.WebSocketEndpoint with com.example.ChatEndpoint;
 * // run: server --handler app --ws-endpoint /chat=chat
 * }</pre>
 */
package dev.starling.http.websocket;
