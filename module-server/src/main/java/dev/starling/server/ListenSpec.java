package dev.starling.server;

import dev.starling.worker.Endpoint;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One listener of a server, as given to {@code --listen}: a transport by name and where it
 * listens. The forms are those of {@link #FORMS}; {@link #toString()} writes a form that
 * {@link #parse} reads back to an equal spec.
 *
 * @param transport the {@code Worker} (or, for {@code udp}, {@code DatagramWorker}) provider
 *                  name: {@code tcp}, {@code tls}, {@code unix} or {@code udp}
 * @param endpoint  where it listens
 */
public record ListenSpec(String transport, Endpoint endpoint) {

    /** The accepted forms, as error messages and the help show them. */
    public static final String FORMS = "HOST:PORT, [IPV6]:PORT, unix:/path/to.sock, unix:@name, tls://HOST:PORT, udp://HOST:PORT";

    /** The transport of datagram listeners ({@code udp://}); every other one is a stream transport. */
    public static final String DATAGRAM_TRANSPORT = "udp";

    private static final int MAX_UNIX_NAME_BYTES = 107;

    public ListenSpec {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /** Whether this listener receives datagrams rather than accepting connections. */
    public boolean datagram() {
        return transport.equals(DATAGRAM_TRANSPORT);
    }

    /**
     * Reads one {@code --listen} value.
     *
     * @param ipv6Only    {@code --ipv6-only}: IPv6 listeners serve IPv6 peers only
     * @param socketMode  {@code --socket-mode}: permission bits for UNIX socket files
     * @throws IllegalArgumentException with a one-line message that starts with
     *         {@code --listen 'SPEC'}, says what is wrong, and lists the accepted forms
     */
    public static ListenSpec parse(String spec, boolean ipv6Only, OptionalInt socketMode) {
        try {
            return parseOrFail(spec, ipv6Only, socketMode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--listen '" + spec + "': " + e.getMessage() + "; accepted forms: " + FORMS, e);
        }
    }

    private static ListenSpec parseOrFail(String spec, boolean ipv6Only, OptionalInt socketMode) {
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        if (spec.startsWith("unix:")) {
            return new ListenSpec("unix", unix(spec.substring("unix:".length()), socketMode));
        }
        int scheme = spec.indexOf("://");
        if (scheme >= 0) {
            String transport = spec.substring(0, scheme);
            if (!transport.equals("tcp") && !transport.equals("tls") && !transport.equals(DATAGRAM_TRANSPORT)) {
                throw new IllegalArgumentException("unknown scheme '" + transport + "://'");
            }
            return new ListenSpec(transport, inet(spec.substring(scheme + 3), ipv6Only));
        }
        return new ListenSpec("tcp", inet(spec, ipv6Only));
    }

    private static Endpoint unix(String rest, OptionalInt socketMode) {
        if (rest.startsWith("@")) {
            String name = rest.substring(1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("the abstract socket name after '@' is empty");
            }
            checkLength(name);
            return new Endpoint.UnixAbstract(name);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("the socket path is empty");
        }
        Path path;
        try {
            path = Path.of(rest).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + rest + "' is not a valid path");
        }
        checkLength(path.toString());
        return new Endpoint.UnixPath(path, socketMode);
    }

    private static void checkLength(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_UNIX_NAME_BYTES) {
            throw new IllegalArgumentException("the UNIX socket name is " + bytes + " bytes, longer than the "
                    + MAX_UNIX_NAME_BYTES + " a socket address holds");
        }
    }

    private static Endpoint.Inet inet(String hostPort, boolean ipv6Only) {
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("an IPv6 address is written [ADDRESS]:PORT");
            }
            host = hostPort.substring(1, close);
            port = hostPort.substring(close + 2);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no port");
            }
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 address needs brackets: [" + host + "]:" + port);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        return new Endpoint.Inet(new InetSocketAddress(address(host), port(port)), ipv6Only);
    }

    private static InetAddress address(String host) {
        if (host.contains("%")) {
            throw new IllegalArgumentException("zone ids ('%') are not supported");
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            if (host.contains(":") && !(address instanceof Inet6Address)) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + host + "' is not a known host name or address");
        }
    }

    private static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + text + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return port;
    }

    /** The spec in a form {@link #parse} reads back, e.g. {@code udp://[::1]:9000} or {@code unix:@name}. */
    @Override
    public String toString() {
        return switch (endpoint) {
            case Endpoint.Inet inet -> (transport.equals("tcp") ? "" : transport + "://") + inet;
            case Endpoint.UnixPath unix -> unix.toString();
            case Endpoint.UnixAbstract name -> name.toString();
        };
    }
}
