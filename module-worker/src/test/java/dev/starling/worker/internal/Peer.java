package dev.starling.worker.internal;

import dev.starling.worker.Endpoint;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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

    /**
     * A TLS client that trusts {@code certificate}. Writes go out from a thread of their own, in
     * order: the server handshakes only when its side first reads, so a write that waited for the
     * handshake on the caller's thread would wait for a read the caller has not asked for yet.
     */
    static Peer connectTls(SocketAddress address, Path certificate) throws IOException {
        javax.net.ssl.SSLSocket socket;
        try (InputStream pem = Files.newInputStream(certificate)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(pem));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            InetSocketAddress inet = (InetSocketAddress) address;
            socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(inet.getAddress(), inet.getPort());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + certificate + ": " + e, e);
        }
        ExecutorService writer = Executors.newSingleThreadExecutor();
        List<Future<?>> writes = new ArrayList<>();
        return new Peer() {
            @Override
            public void write(byte[] bytes) {
                writes.add(writer.submit(() -> {
                    socket.getOutputStream().write(bytes);
                    socket.getOutputStream().flush();
                    return null;
                }));
            }

            @Override
            public byte[] readSome(int max) throws IOException {
                byte[] b = new byte[max];
                int n;
                try {
                    n = socket.getInputStream().read(b);
                } catch (javax.net.ssl.SSLHandshakeException e) {
                    if (e.getMessage() != null && e.getMessage().contains("Remote host terminated the handshake")) {
                        return null; // the server closed before handshaking: the JDK's way of saying end of stream
                    }
                    throw e;
                }
                return n < 0 ? null : Arrays.copyOf(b, n);
            }

            @Override
            public void close() throws IOException {
                writer.shutdown();
                try {
                    for (Future<?> w : writes) {
                        w.get(30, TimeUnit.SECONDS);
                    }
                } catch (ExecutionException e) {
                    throw new IOException("a write failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException | TimeoutException e) {
                    throw new IOException("a write did not finish: " + e, e);
                } finally {
                    socket.close();
                }
            }
        };
    }
}
