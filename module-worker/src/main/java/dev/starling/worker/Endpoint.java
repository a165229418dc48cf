package dev.starling.worker;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where a listener listens: an IP address and port, a UNIX socket file, or a name in Linux's
 * abstract UNIX namespace. A closed set; each {@link Worker} or {@link DatagramWorker} says in
 * its javadoc which kinds it accepts.
 */
public sealed interface Endpoint {

    /**
     * An IPv4 or IPv6 address and port.
     *
     * @param address  resolved; port 0 picks a free one
     * @param ipv6Only for an IPv6 address: accept IPv6 peers only ({@code IPV6_V6ONLY}); false
     *                 (the default) makes {@code [::]} dual-stack, serving IPv4 peers as
     *                 {@code ::ffff:a.b.c.d}. Ignored for IPv4 addresses.
     */
    record Inet(InetSocketAddress address, boolean ipv6Only) implements Endpoint {
        public Inet {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is not resolved");
            }
        }

        /** Whether {@code IPV6_V6ONLY} must be set on the socket before it binds. */
        public boolean v6OnlyApplies() {
            return ipv6Only && address.getAddress() instanceof Inet6Address;
        }

        @Override
        public String toString() {
            String host = address.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + compressed(host) + "]" : host) + ":" + address.getPort();
        }

        /** RFC 5952's short form of the JDK's full IPv6 text: {@code ::1}, not {@code 0:0:0:0:0:0:0:1}. */
        static String compressed(String full) {
            String[] groups = full.split(":", -1);
            int bestStart = -1;
            int bestLength = 1; // a single zero group stays "0"
            for (int i = 0; i < groups.length; ) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j == i ? i + 1 : j;
            }
            if (bestStart < 0) {
                return full;
            }
            String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
            String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
            return head + "::" + tail;
        }
    }

    /**
     * A UNIX domain socket file.
     *
     * @param path        the socket file; a stale one left by a dead server is replaced
     * @param permissions the file's permission bits (e.g. {@code 0660}, {@code --socket-mode}),
     *                    or empty to keep what the umask gives
     */
    record UnixPath(Path path, OptionalInt permissions) implements Endpoint {
        public UnixPath {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(permissions, "permissions");
            permissions.ifPresent(p -> {
                if (p < 0 || p > 0777) {
                    throw new IllegalArgumentException("socket permissions must be between 000 and 777 (octal), was "
                            + Integer.toOctalString(p));
                }
            });
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /**
     * A name in Linux's abstract UNIX socket namespace: no file, gone when the last socket
     * bound to it closes, reachable by every process in the same network namespace.
     *
     * @param name the name without the leading NUL byte (written {@code unix:@name})
     */
    record UnixAbstract(String name) implements Endpoint {
        public UnixAbstract {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an abstract socket name must not be empty");
            }
        }

        @Override
        public String toString() {
            return "unix:@" + name;
        }
    }
}
