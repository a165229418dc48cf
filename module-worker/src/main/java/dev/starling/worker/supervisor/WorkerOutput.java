package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.DEBUG;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Copies a worker's standard output or standard error to the manager's, line by line, each line
 * prefixed with {@code [worker PID] } so that an operator can tell whose it is. The output carries
 * no messages for the manager (those go over the {@link ControlChannel}), so the copy passes
 * every byte on as it is.
 *
 * <p>Each stream gets a platform daemon thread with a small stack. Not a virtual thread: a
 * blocking read of a pipe holds its carrier, so readers of idle workers could take every carrier
 * and leave the manager unable to run anything else.
 */
final class WorkerOutput {

    /** A longer line is passed on in pieces of this many bytes, each a line of its own, so a worker cannot grow the manager's heap. */
    static final int MAX_LINE_BYTES = 16 * 1024;

    private static final System.Logger LOG = System.getLogger(WorkerOutput.class.getName());

    private WorkerOutput() {
    }

    /**
     * Starts copying {@code from} to {@code to} on a thread named after {@code what} and the pid.
     *
     * @return completed once {@code from} ended (or failed) and everything read was written
     */
    static CompletableFuture<Void> copy(InputStream from, PrintStream to, long pid, String what) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        byte[] prefix = ("[worker " + pid + "] ").getBytes(StandardCharsets.US_ASCII);
        Thread.ofPlatform().daemon().name(what + " of worker " + pid).stackSize(ControlChannel.STACK_BYTES).start(() -> {
            try (from) {
                copyLines(from, to, prefix);
            } catch (IOException e) {
                LOG.log(DEBUG, () -> "reading the " + what + " of worker pid " + pid + " failed: " + e);
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /** Writes each line of {@code from} to {@code to} after {@code prefix}, one write per line, so lines of several workers never mix. */
    static void copyLines(InputStream from, PrintStream to, byte[] prefix) throws IOException {
        byte[] in = new byte[8192];
        byte[] line = new byte[prefix.length + MAX_LINE_BYTES + 1];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        int end = prefix.length;
        int n;
        while ((n = from.read(in)) != -1) {
            for (int i = 0; i < n; i++) {
                if (in[i] == '\n' || end == prefix.length + MAX_LINE_BYTES) {
                    writeLine(to, line, end);
                    end = prefix.length;
                }
                if (in[i] != '\n') {
                    line[end++] = in[i];
                }
            }
        }
        if (end > prefix.length) {
            writeLine(to, line, end);
        }
    }

    private static void writeLine(PrintStream to, byte[] line, int end) {
        line[end] = '\n';
        to.write(line, 0, end + 1);
        to.flush();
    }
}
