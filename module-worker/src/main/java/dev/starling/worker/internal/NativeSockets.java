package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import dev.starling.worker.ffi.SocketLibrary;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * Listening and datagram sockets bound with the C library's own calls, for what the JDK cannot
 * do: bind a name in Linux's abstract UNIX namespace (the JDK's {@code UnixDomainSocketAddress}
 * is a file path and refuses the leading NUL byte), and set {@code IPV6_V6ONLY} before a bind
 * (the JDK has no socket option for it and always binds {@code [::]} dual-stack). The sockets
 * are plain file descriptors: the manager hands them to workers, and a worker turns one into
 * a JDK channel with {@link ChannelAdoption}. Linux only, as the constants below are.
 */
public final class NativeSockets {

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_REUSEPORT = 15;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int EADDRINUSE = 98;
    /** sun_path is 108 bytes; a path needs its terminating NUL. */
    static final int MAX_UNIX_PATH_BYTES = 107;

    private NativeSockets() {
    }

    private static final class Holder {
        static final SocketLibrary LIBC = LibraryLoader.create(SocketLibrary.class).load("c");
        static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);
    }

    /**
     * Binds a listening stream socket at {@code endpoint}.
     *
     * @param reusePort set {@code SO_REUSEPORT} (IP endpoints only), so that every worker may
     *                  bind the same port
     * @return the socket's file descriptor (close-on-exec), owned by the caller
     * @throws BindException when the address is in use (for a UNIX path: by a live server)
     */
    public static int listen(Endpoint endpoint, int backlog, boolean reusePort) throws IOException {
        if (endpoint instanceof Endpoint.UnixPath unix) {
            replaceStaleSocketFile(unix.path());
        }
        int fd = open(endpoint, SOCK_STREAM, reusePort);
        try {
            bind(fd, endpoint);
            if (endpoint instanceof Endpoint.UnixPath unix && unix.permissions().isPresent()) {
                // Before listen(): nobody can connect yet, so no peer slips in under the umask's bits.
                Native.chmod(unix.path(), unix.permissions().getAsInt());
            }
            check(Holder.LIBC.listen(fd, backlog), "listen on " + endpoint);
            return fd;
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /** Binds a datagram socket at {@code endpoint}; see {@link #listen} for the arguments. */
    public static int bindDatagram(Endpoint.Inet endpoint, boolean reusePort) throws IOException {
        int fd = open(endpoint, SOCK_DGRAM, reusePort);
        try {
            bind(fd, endpoint);
            return fd;
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    private static int open(Endpoint endpoint, int type, boolean reusePort) throws IOException {
        int family = family(endpoint);
        int fd = check(Holder.LIBC.socket(family, type | SOCK_CLOEXEC, 0), "socket for " + endpoint);
        try {
            if (endpoint instanceof Endpoint.Inet inet) {
                // As the JDK does: a restarted server binds while old connections sit in TIME_WAIT.
                setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
                if (reusePort) {
                    setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
                }
                if (family == AF_INET6) {
                    // Set both ways, never left to the net.ipv6.bindv6only sysctl.
                    setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, inet.ipv6Only() ? 1 : 0);
                }
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    private static void bind(int fd, Endpoint endpoint) throws IOException {
        byte[] address = sockaddr(endpoint);
        if (Holder.LIBC.bind(fd, address, address.length) < 0) {
            int errno = errno();
            if (errno == EADDRINUSE) {
                throw new BindException(describe(endpoint) + " is already in use by another process");
            }
            throw new BindException("cannot bind " + describe(endpoint) + ": " + strerror(errno));
        }
    }

    private static String describe(Endpoint endpoint) {
        return switch (endpoint) {
            case Endpoint.Inet inet -> inet.toString();
            case Endpoint.UnixPath unix -> "UNIX socket " + unix.path();
            case Endpoint.UnixAbstract name -> "abstract UNIX socket @" + name.name();
        };
    }

    /**
     * A socket file left at {@code path} by a server that died is removed; one a live server
     * listens on, or a file that is no socket, is left alone and refused.
     */
    static void replaceStaleSocketFile(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) { // S_IFMT, S_IFSOCK
            throw new BindException(path + " exists and is not a socket; remove it or choose another path");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new BindException("UNIX socket " + path + " is in use by a running server (a connection to it succeeded)");
        } catch (ConnectException refused) {
            // Nobody listens: the file outlived its server. This is the only case we delete it.
            Files.delete(path);
        }
    }

    /**
     * A blocking stream socket connected to {@code endpoint}: a client for endpoints the JDK
     * cannot reach (abstract UNIX names), for tests and probes.
     *
     * @return the file descriptor, owned by the caller
     * @throws ConnectException when nobody listens there
     */
    public static int connect(Endpoint endpoint) throws IOException {
        int fd = open(endpoint, SOCK_STREAM, false);
        byte[] address = sockaddr(endpoint);
        if (Holder.LIBC.connect(fd, address, address.length) < 0) {
            ConnectException refused = new ConnectException("cannot connect to " + describe(endpoint) + ": " + strerror(errno()));
            closeQuietly(fd, refused);
            throw refused;
        }
        return fd;
    }

    /** The address a bound IP socket has, with the port the kernel chose for port 0. */
    public static InetSocketAddress localInetAddress(int fd) throws IOException {
        byte[] buffer = new byte[128];
        int[] length = {buffer.length};
        check(Holder.LIBC.getsockname(fd, buffer, length), "getsockname");
        ByteBuffer b = ByteBuffer.wrap(buffer);
        int family = b.order(ByteOrder.nativeOrder()).getShort(0);
        int port = b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff;
        if (family == AF_INET) {
            return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(buffer, 4, 8)), port);
        }
        if (family == AF_INET6) {
            return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(buffer, 8, 24)), port);
        }
        throw new IOException("fd " + fd + " is not an IP socket (family " + family + ")");
    }

    /** Closes {@code fd}. */
    public static void close(int fd) throws IOException {
        check(Holder.LIBC.close(fd), "close(" + fd + ")");
    }

    private static void closeQuietly(int fd, Exception primary) {
        if (Holder.LIBC.close(fd) < 0) {
            primary.addSuppressed(new IOException("close(" + fd + ") failed: " + strerror(errno())));
        }
    }

    static int family(Endpoint endpoint) {
        return switch (endpoint) {
            case Endpoint.Inet inet -> inet.address().getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
            case Endpoint.UnixPath p -> AF_UNIX;
            case Endpoint.UnixAbstract a -> AF_UNIX;
        };
    }

    /** The {@code struct sockaddr_in}, {@code sockaddr_in6} or {@code sockaddr_un} for {@code endpoint}, exactly as long as it must be. */
    static byte[] sockaddr(Endpoint endpoint) throws IOException {
        return switch (endpoint) {
            case Endpoint.Inet inet -> inetSockaddr(inet.address());
            case Endpoint.UnixPath unix -> unixSockaddr(unix.path().toString().getBytes(StandardCharsets.UTF_8), false);
            case Endpoint.UnixAbstract name -> unixSockaddr(name.name().getBytes(StandardCharsets.UTF_8), true);
        };
    }

    private static byte[] inetSockaddr(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        boolean v6 = ip.length == 16;
        ByteBuffer b = ByteBuffer.allocate(v6 ? 28 : 16);
        b.order(ByteOrder.nativeOrder()).putShort(0, (short) (v6 ? AF_INET6 : AF_INET));
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) address.getPort());
        if (v6) {
            b.put(8, ip); // after sin6_flowinfo, which stays 0
            int scope = ((Inet6Address) address.getAddress()).getScopeId();
            b.order(ByteOrder.nativeOrder()).putInt(24, scope);
        } else {
            b.put(4, ip);
        }
        return b.array();
    }

    private static byte[] unixSockaddr(byte[] name, boolean abstractName) throws IOException {
        if (name.length > MAX_UNIX_PATH_BYTES) {
            throw new BindException("UNIX socket name '" + new String(name, StandardCharsets.UTF_8) + "' is "
                    + name.length + " bytes; at most " + MAX_UNIX_PATH_BYTES + " fit in sun_path");
        }
        // An abstract name starts with a NUL byte and is as long as the address length says
        // (no terminating NUL); a path ends with one.
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + name.length).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            b.put((byte) 0).put(name);
        } else {
            b.put(name).put((byte) 0);
        }
        return b.array();
    }

    private static void setInt(int fd, int level, int option, int value) throws IOException {
        check(Holder.LIBC.setsockopt(fd, level, option, new int[] {value}, 4), "setsockopt(" + level + ", " + option + ")");
    }

    private static int check(int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + " failed: " + strerror(errno()));
        }
        return result;
    }

    private static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    private static String strerror(int errno) {
        return Native.strerror(errno);
    }
}
