package dev.starling.worker.supervisor;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A worker's end of the {@link ControlChannel}, whose javadoc is the protocol: a blocking JDK
 * {@link SocketChannel}, so a worker's start loads no native code for it. Writes are thread-safe.
 */
final class ControlClient implements Closeable {

    private static final System.Logger LOG = System.getLogger(ControlClient.class.getName());

    private final CompletableFuture<SocketChannel> channel = new CompletableFuture<>();
    private final ReentrantLock writing = new ReentrantLock();

    private ControlClient() {
    }

    /**
     * Returns at once, having started a daemon thread that connects to {@code socket}, says
     * hello with {@code token}, hands each line from the manager to {@code received}, and runs
     * {@code ended} once: at end-of-file, on an error or a line too long, after
     * {@link #close()}, or when the manager cannot be reached (logged). Connecting in the
     * background keeps it off a worker's path to ready: a JVM's first UNIX socket costs tens
     * of milliseconds (the JDK seeds a SecureRandom for it), which the worker spends while it
     * loads plugins instead.
     */
    static ControlClient start(Path socket, String token, Consumer<String> received, Runnable ended) {
        ControlClient client = new ControlClient();
        Thread.ofPlatform().daemon().name("starling control").stackSize(ControlChannel.STACK_BYTES)
                .start(() -> client.run(socket, token, received, ended));
        return client;
    }

    private void run(Path socket, String token, Consumer<String> received, Runnable ended) {
        SocketChannel connected = null;
        try {
            connected = SocketChannel.open(StandardProtocolFamily.UNIX);
            connected.connect(UnixDomainSocketAddress.of(socket));
            write(connected, ControlChannel.HELLO + " " + token);
        } catch (IOException | RuntimeException e) {
            ControlLines.closeQuietly(connected);
            LOG.log(WARNING, () -> "worker pid " + ProcessHandle.current().pid() + ": cannot reach the manager's control socket "
                    + socket + ": " + e);
            channel.completeExceptionally(e);
            ended.run();
            return;
        }
        channel.complete(connected);
        ControlLines lines = new ControlLines();
        try {
            while (lines.readFrom(connected) >= 0) {
                String line;
                while ((line = lines.next()) != null) {
                    received.accept(line);
                }
            }
        } catch (IOException e) {
            LOG.log(DEBUG, () -> "worker pid " + ProcessHandle.current().pid() + ": control connection failed: " + e);
        } finally {
            ControlLines.closeQuietly(connected);
            ended.run();
        }
    }

    /**
     * Sends one line after the hello; waits for the connection first, and blocks only while
     * the socket's buffer is full.
     *
     * @throws IOException when the manager could not be reached or the connection failed
     */
    void send(String line) throws IOException {
        write(connected(), line);
    }

    private void write(SocketChannel to, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(ControlLines.encode(line));
        writing.lock();
        try {
            while (bytes.hasRemaining()) {
                to.write(bytes);
            }
        } finally {
            writing.unlock();
        }
    }

    private SocketChannel connected() throws IOException {
        try {
            return channel.get();
        } catch (ExecutionException e) {
            throw new IOException("not connected to the manager: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the connection to the manager");
        }
    }

    /** Closes the connection once it is made (the reader then runs {@code ended}); nothing if it failed. */
    @Override
    public void close() throws IOException {
        try {
            connected().close();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException neverConnected) {
            LOG.log(DEBUG, () -> "closing a control connection that was never made: " + neverConnected);
        }
    }

}
