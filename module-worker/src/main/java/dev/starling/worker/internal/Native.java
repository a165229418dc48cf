package dev.starling.worker.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The POSIX calls the JDK lacks, through jnr-posix: {@code dup2}, {@code kill} with any
 * signal, {@code chmod}, and the descriptor passing of {@link DescriptorPassing}. Loaded on first use, so a worker that never needs them never pays for jnr.
 * Signals are caught with {@code sun.misc.Signal}, never with jnr's {@code signal()}, which
 * crashed the JVM under a burst of signals here.
 */
public final class Native {

    private Native() {
    }

    private static final class Holder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    /** {@code dup2(from, to)}: makes {@code to} a copy of {@code from}. */
    public static void dup2(int from, int to) throws IOException {
        if (Holder.POSIX.dup2(from, to) < 0) {
            int errno = Holder.POSIX.errno();
            throw new IOException("dup2(" + from + ", " + to + ") failed: " + Holder.POSIX.strerror(errno));
        }
    }

    /** Points fd 0 at /dev/null, dropping what it referred to (a listening socket the manager shared). */
    public static void nullStandardInput() throws IOException {
        int devNull = Holder.POSIX.open("/dev/null", 2 /* O_RDWR */, 0);
        if (devNull < 0) {
            throw new IOException("cannot open /dev/null: " + strerror(Holder.POSIX.errno()));
        }
        try {
            dup2(devNull, 0);
        } finally {
            Holder.POSIX.close(devNull);
        }
    }

    /** {@code strerror(errno)}. */
    static String strerror(int errno) {
        return Holder.POSIX.strerror(errno);
    }

    /** {@code chmod(path, mode)}. */
    static void chmod(Path path, int mode) throws IOException {
        if (Holder.POSIX.chmod(path.toString(), mode) < 0) {
            throw new IOException("chmod " + Integer.toOctalString(mode) + " " + path + " failed: " + strerror(Holder.POSIX.errno()));
        }
    }

    /** The process-wide jnr-posix binding, for the descriptor passing in {@link DescriptorPassing}. */
    static POSIX posix() {
        return Holder.POSIX;
    }

    /**
     * Sends signal number {@code signal} to {@code pid}.
     *
     * @return false when the process does not exist (any more)
     */
    public static boolean kill(long pid, int signal) throws IOException {
        if (Holder.POSIX.kill(pid, signal) == 0) {
            return true;
        }
        int errno = Holder.POSIX.errno();
        if (errno == 3) { // ESRCH
            return false;
        }
        throw new IOException("kill(" + pid + ", " + signal + ") failed: " + Holder.POSIX.strerror(errno));
    }

    /**
     * The file descriptor number of a listening socket of this process. The JDK does not
     * expose it without opening {@code sun.nio.ch}; Linux tells it through /proc instead: the
     * socket's inode from /proc/net/tcp{,6} (a LISTEN entry on its port), then the fd in
     * /proc/self/fd that links to {@code socket:[inode]}.
     */
    public static int descriptorOf(NetworkChannel listening) throws IOException {
        return descriptorOf(listening, List.of("/proc/net/tcp", "/proc/net/tcp6"), "0A");
    }

    /**
     * As {@link #descriptorOf(NetworkChannel)}, for a bound socket of this process listed in
     * {@code tables} (e.g. /proc/net/udp) in state {@code state} (hex, as the table shows it).
     */
    static int descriptorOf(NetworkChannel bound, List<String> tables, String state) throws IOException {
        List<Integer> found = descriptorsOf(bound, tables, state);
        if (found.isEmpty()) {
            throw new IOException("cannot find the file descriptor of the socket bound to " + bound.getLocalAddress() + " in /proc");
        }
        return found.get(0);
    }

    /**
     * Every fd of this process for a socket in {@code tables}, state {@code state}, on the port
     * {@code bound} has: usually one, but another socket of ours may share the port on another
     * address, so a caller that must not pick the wrong one checks each.
     */
    static List<Integer> descriptorsOf(NetworkChannel bound, List<String> tables, String state) throws IOException {
        int port = ((InetSocketAddress) bound.getLocalAddress()).getPort();
        Set<String> inodes = new HashSet<>();
        for (String table : tables) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length > 9 && f[3].equals(state) && f[1].toUpperCase(Locale.ROOT).endsWith(String.format(":%04X", port))) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        return descriptorsOfInodes(inodes);
    }

    /**
     * The fd of this process whose /proc/self/fd link is one of {@code inodes}
     * ({@code socket:[N]}); {@code what} names the socket for the error.
     */
    static int descriptorOfInode(Set<String> inodes, String what) throws IOException {
        List<Integer> found = descriptorsOfInodes(inodes);
        if (found.isEmpty()) {
            throw new IOException("cannot find the file descriptor of " + what + " in /proc");
        }
        return found.get(0);
    }

    private static List<Integer> descriptorsOfInodes(Set<String> inodes) throws IOException {
        List<Integer> found = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        found.add(Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException closedMeanwhile) {
                    // An fd that closed while we listed them (e.g. the listing's own): not ours.
                    continue;
                }
            }
        }
        return found;
    }
}
