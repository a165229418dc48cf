package dev.starling.worker.ffi;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The C library's socket calls that neither the JDK nor jnr-posix offers, bound with jnr-ffi:
 * {@code socket}, {@code bind} and {@code listen} with a raw {@code sockaddr} (the JDK cannot
 * bind a Linux abstract UNIX name, nor set {@code IPV6_V6ONLY}), and {@code connect}.
 *
 * <p>Not an API for plugins. It is exported only because jnr-ffi defines the implementation it
 * generates in a module of its own, which can implement only an interface of an exported
 * package. Arguments and results are those of the C functions: a negative result means
 * failure, with the reason in the thread's saved {@code errno}.
 */
public interface SocketLibrary {

    /** {@code socket(2)}. */
    int socket(int domain, int type, int protocol);

    /** {@code bind(2)} with a {@code sockaddr} of {@code length} bytes. */
    int bind(int fd, @In byte[] address, int length);

    /** {@code listen(2)}. */
    int listen(int fd, int backlog);

    /** {@code connect(2)} with a {@code sockaddr} of {@code length} bytes. */
    int connect(int fd, @In byte[] address, int length);

    /** {@code setsockopt(2)} with an {@code int} option value. */
    int setsockopt(int fd, int level, int option, @In int[] value, int length);

    /** {@code getsockname(2)}: {@code length[0]} is the buffer size in, the address size out. */
    int getsockname(int fd, @Out byte[] address, @In @Out int[] length);

    /** {@code close(2)}. */
    int close(int fd);
}
