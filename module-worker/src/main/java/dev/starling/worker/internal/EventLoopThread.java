package dev.starling.worker.internal;

/**
 * Which kind of thread runs the process's {@link EdgePoller}, chosen before its first connection:
 * a virtual thread (the default), which hands connections to their own virtual threads without
 * crossing to another OS thread; or a platform thread that blocks in {@code epoll_wait} itself,
 * as Netty's event loop does, which is cheaper when the protocol serves on the event loop
 * ({@link dev.starling.process.StreamService#servesOnEventLoop()}) and rarely wakes a connection's
 * thread. {@code -Dstarling.edgePoller.platform=true|false} overrides the choice.
 */
public final class EventLoopThread {

    private static volatile boolean platform;

    private EventLoopThread() {
    }

    /** Asks for a platform thread; has no effect once the poller runs (its first connection started it). */
    public static void preferPlatform() {
        platform = true;
    }

    static boolean platform() {
        String forced = System.getProperty("starling.edgePoller.platform");
        return forced != null ? Boolean.parseBoolean(forced) : platform;
    }
}
