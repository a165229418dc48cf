package dev.starling.worker.ffi;

import java.nio.ByteBuffer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Linux {@code epoll(7)}, bound with jnr-ffi: the JDK's selector is level-triggered and changes
 * interest with one {@code epoll_ctl} per wait, while an edge-triggered set registers a
 * connection once for its whole life.
 *
 * <p>Not an API for plugins; exported only because jnr-ffi implements it in a module of its
 * own (see {@link SocketLibrary}). Arguments and results are those of the C functions.
 */
public interface EpollLibrary {

    /** {@code epoll_create1(2)}. */
    int epoll_create1(int flags);

    /** {@code epoll_ctl(2)}: {@code event} holds one {@code struct epoll_event} in native layout. */
    int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

    /**
     * {@code epoll_wait(2)} into a direct buffer of {@code maxevents} {@code struct epoll_event}s.
     * Errors are not saved: the only one a correct caller sees is {@code EINTR}, which it treats
     * as no event.
     */
    @IgnoreError
    int epoll_wait(int epfd, @Out ByteBuffer events, int maxevents, int timeout);
}
