package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/** The client end of a stream connection in the contract tests: a JDK channel, or a native socket where the JDK cannot connect. */
interface Peer extends Closeable {

    void write(byte[] bytes) throws IOException;

    /** One read: up to {@code max} bytes, or null at the end of the stream. */
    byte[] readSome(int max) throws IOException;

    /** Exactly {@code n} bytes. */
    default byte[] readExactly(int n) throws IOException {
        byte[] all = new byte[0];
        while (all.length < n) {
            byte[] some = readSome(n - all.length);
            if (some == null) {
                throw new EOFException("the stream ended after " + all.length + " of " + n + " bytes");
            }
            byte[] more = Arrays.copyOf(all, all.length + some.length);
            System.arraycopy(some, 0, more, all.length, some.length);
            all = more;
        }
        return all;
    }

    static Peer connect(SocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        return new Peer() {
            @Override
            public void write(byte[] bytes) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }

            @Override
            public byte[] readSome(int max) throws IOException {
                ByteBuffer b = ByteBuffer.allocate(max);
                int n = channel.read(b);
                return n < 0 ? null : Arrays.copyOf(b.array(), n);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** A native client: the JDK cannot connect to an abstract UNIX name. */
    static Peer connectNative(Endpoint endpoint) throws IOException {
        int fd = NativeSockets.connect(endpoint);
        return new Peer() {
            @Override
            public void write(byte[] bytes) throws IOException {
                int done = 0;
                while (done < bytes.length) {
                    byte[] rest = Arrays.copyOfRange(bytes, done, bytes.length);
                    int n = Native.posix().write(fd, rest, rest.length);
                    if (n < 0) {
                        throw new IOException("write failed: " + Native.strerror(Native.posix().errno()));
                    }
                    done += n;
                }
            }

            @Override
            public byte[] readSome(int max) throws IOException {
                byte[] b = new byte[max];
                int n = Native.posix().read(fd, b, max);
                if (n < 0) {
                    throw new IOException("read failed: " + Native.strerror(Native.posix().errno()));
                }
                return n == 0 ? null : Arrays.copyOf(b, n);
            }

            @Override
            public void close() throws IOException {
                NativeSockets.close(fd);
            }
        };
    }
}
