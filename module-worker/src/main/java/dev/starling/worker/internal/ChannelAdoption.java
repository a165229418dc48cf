package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a socket file descriptor (received from the manager, or bound with
 * {@link NativeSockets}) into a JDK channel, so that accepting, reading and writing take the
 * JDK's own path: blocking I/O that parks virtual threads on the JDK's poller instead of
 * pinning a carrier thread in a native call, as jnr-enxio's channels would.
 *
 * <p>How: the JDK makes a channel for an existing descriptor only for fd 0
 * ({@link System#inheritedChannel()}). So we open and bind a placeholder channel of the same
 * family, find its descriptor in /proc, and {@code dup2} our socket over it. From then on the
 * channel's descriptor refers to our socket; its cached local address is the placeholder's,
 * so callers take the address from their configuration instead. The accepted connections are
 * ordinary JDK channels built from the accepted descriptor.
 */
final class ChannelAdoption {

    private ChannelAdoption() {
    }

    /** A JDK channel for the listening stream socket {@code fd}, which is consumed. */
    static ServerSocketChannel listening(int fd, Endpoint endpoint) throws IOException {
        ServerSocketChannel placeholder;
        if (endpoint instanceof Endpoint.Inet inet) {
            placeholder = ServerSocketChannel.open(family(inet));
            try {
                placeholder.bind(new InetSocketAddress(loopback(inet), 0), 1);
                swap(fd, placeholderDescriptor(placeholder, List.of("/proc/net/tcp", "/proc/net/tcp6"), "0A"));
            } catch (IOException | RuntimeException e) {
                SelectorWait.closeAfterFailure(placeholder, e);
                throw e;
            }
            return placeholder;
        }
        placeholder = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            placeholder.bind(null, 1); // a fresh path in the temporary directory
            Path path = ((UnixDomainSocketAddress) placeholder.getLocalAddress()).getPath();
            swap(fd, unixDescriptorOf(path));
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            SelectorWait.closeAfterFailure(placeholder, e);
            throw e;
        }
        return placeholder;
    }

    /** A JDK channel for the bound datagram socket {@code fd}, which is consumed. */
    static DatagramChannel datagram(int fd, Endpoint.Inet endpoint) throws IOException {
        DatagramChannel placeholder = DatagramChannel.open(family(endpoint));
        try {
            placeholder.bind(new InetSocketAddress(loopback(endpoint), 0));
            swap(fd, placeholderDescriptor(placeholder, List.of("/proc/net/udp", "/proc/net/udp6"), "07"));
        } catch (IOException | RuntimeException e) {
            SelectorWait.closeAfterFailure(placeholder, e);
            throw e;
        }
        return placeholder;
    }

    /**
     * The placeholder's fd. /proc lists sockets by port; one of ours already adopted may have
     * the same port on another address, and dup2 over that one would end it, so each candidate's
     * address is checked.
     */
    private static int placeholderDescriptor(java.nio.channels.NetworkChannel placeholder, List<String> tables, String state)
            throws IOException {
        java.net.SocketAddress address = placeholder.getLocalAddress();
        for (int fd : Native.descriptorsOf(placeholder, tables, state)) {
            if (NativeSockets.localInetAddress(fd).equals(address)) {
                return fd;
            }
        }
        throw new IOException("cannot find the file descriptor of the socket bound to " + address + " in /proc");
    }

    private static void swap(int fd, int placeholderFd) throws IOException {
        Native.dup2(fd, placeholderFd); // closes the placeholder's own socket, atomically
        NativeSockets.close(fd);
    }

    private static ProtocolFamily family(Endpoint.Inet inet) {
        return inet.address().getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static InetAddress loopback(Endpoint.Inet inet) throws IOException {
        return InetAddress.getByName(inet.address().getAddress() instanceof Inet6Address ? "::1" : "127.0.0.1");
    }

    /** The fd of this process's UNIX socket bound to {@code path}, from /proc/net/unix. */
    private static int unixDescriptorOf(Path path) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            // Num RefCount Protocol Flags Type St Inode Path
            String[] f = line.trim().split("\\s+");
            if (f.length > 7 && f[7].equals(path.toString())) {
                inodes.add("socket:[" + f[6] + "]");
            }
        }
        return Native.descriptorOfInode(inodes, "the UNIX socket bound to " + path);
    }
}
