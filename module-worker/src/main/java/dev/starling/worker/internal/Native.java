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
 * The POSIX calls the JDK lacks, through jnr-posix: {@code dup2} and {@code kill} with any
 * signal. Loaded on first use, so a worker that never needs them never pays for jnr.
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
        int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length > 9 && f[3].equals("0A") && f[1].toUpperCase(Locale.ROOT).endsWith(String.format(":%04X", port))) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException closedMeanwhile) {
                    // An fd that closed while we listed them (e.g. the listing's own): not ours.
                    continue;
                }
            }
        }
        throw new IOException("cannot find the file descriptor of the socket listening on port " + port + " in /proc");
    }
}
