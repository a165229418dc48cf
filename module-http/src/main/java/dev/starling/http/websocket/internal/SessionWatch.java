package dev.starling.http.websocket.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the time limits of every WebSocket session of this worker process from one daemon
 * thread, as the TCP transport watches read deadlines: a session's reads and writes only store
 * timestamps, and every {@link #TICK} this thread looks at all of them. It never blocks: what it
 * decides is done on a new virtual thread.
 *
 * <ul>
 *   <li>No byte from the client for {@code --ws-idle-timeout}: send a ping (RFC 6455 5.5.2).</li>
 *   <li>Still none for as long again after the ping: close with 1001.</li>
 *   <li>A close frame sent and no answer within {@link Session#CLOSE_WAIT}: end the connection.</li>
 *   <li>One send that has not finished after {@code --ws-idle-timeout}: end the connection.</li>
 *   <li>While an endpoint callback runs, the session reads nothing, so its silence is not counted.</li>
 * </ul>
 */
final class SessionWatch {

    static final long TICK_MILLIS = 250;

    private static final class Holder {
        static final SessionWatch INSTANCE = new SessionWatch();
    }

    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    private SessionWatch() {
        Thread.ofPlatform().daemon().name("websocket watch").start(this::run);
    }

    static SessionWatch get() {
        return Holder.INSTANCE;
    }

    void watch(Session session) {
        sessions.add(session);
    }

    void unwatch(Session session) {
        sessions.remove(session);
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = System.nanoTime();
            for (Session session : sessions) {
                check(session, now);
            }
        }
    }

    static void check(Session s, long now) {
        if (s.aborted.get()) {
            return;
        }
        long idle = s.idleTimeout().toNanos();
        long closeSent = s.closeSentNanos;
        if (closeSent != 0) {
            if (now - closeSent > Session.CLOSE_WAIT.toNanos()) {
                abort(s, "no close frame from the client within " + Session.CLOSE_WAIT.toSeconds() + " s");
            }
            return;
        }
        long writeStarted = s.writeStartedNanos;
        if (writeStarted != 0 && now - writeStarted > idle) {
            abort(s, "a send did not finish within " + s.idleTimeout().toSeconds() + " s (--ws-idle-timeout)");
            return;
        }
        if (s.inCallback || now - s.lastReadNanos < idle) {
            return;
        }
        long pingSent = s.pingSentNanos;
        if (pingSent == 0) {
            s.pingSentNanos = now | 1;
            Thread.startVirtualThread(s::pingIdle);
        } else if (now - pingSent > idle && s.goingAway.compareAndSet(false, true)) {
            Thread.startVirtualThread(s::goAway);
        }
    }

    private static void abort(Session s, String why) {
        if (s.aborted.compareAndSet(false, true)) {
            Thread.startVirtualThread(() -> s.abort(why));
        }
    }
}
