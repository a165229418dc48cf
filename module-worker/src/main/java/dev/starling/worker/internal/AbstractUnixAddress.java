package dev.starling.worker.internal;

import java.net.SocketAddress;

/**
 * A name in Linux's abstract UNIX namespace, as a {@link SocketAddress} for log lines and
 * {@code localAddress()}: the JDK's {@code UnixDomainSocketAddress} cannot hold one.
 */
final class AbstractUnixAddress extends SocketAddress {

    private static final long serialVersionUID = 1L;

    private final String name;

    AbstractUnixAddress(String name) {
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AbstractUnixAddress other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "@" + name;
    }
}
