package dev.starling.http.internal;

import dev.starling.http.Handler;
import dev.starling.http.websocket.internal.WebSocketUpgrade;
import dev.starling.process.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 server with a WebSocket upgrade on 127.0.0.1 and a free port, for raw-socket
 * tests inside this module: each accepted socket is served by {@link Http1Connection} on a virtual
 * thread of its own, as a worker does. {@link #drain()} makes every connection report draining.
 */
final class SocketServer implements AutoCloseable {

    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean draining;

    SocketServer(Handler handler, WebSocketUpgrade upgrade) throws IOException {
        listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("test acceptor").start(() -> {
            while (!listener.isClosed()) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException closed) {
                    return; // close() ended the accept loop
                }
                open.add(socket);
                Thread.ofVirtual().start(() -> serve(socket, handler, upgrade));
            }
        });
    }

    private void serve(Socket socket, Handler handler, WebSocketUpgrade upgrade) {
        try (SocketConnection connection = new SocketConnection(ids.incrementAndGet(), socket)) {
            new Http1Connection(connection, Http1Settings.defaults(), handler, "Starling/test", upgrade).serve();
        } catch (IOException e) {
            // The client went away in the middle of an exchange: what the tests provoke on purpose.
            System.getLogger(SocketServer.class.getName()).log(System.Logger.Level.DEBUG, "connection ended: " + e);
        } finally {
            open.remove(socket);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    void drain() {
        draining = true;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
    }

    /** A blocking socket as a {@link Connection}; read timeouts by {@code SO_TIMEOUT}. */
    private final class SocketConnection implements Connection {
        private final long id;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketConnection(long id, Socket socket) throws IOException {
            this.id = id;
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public SocketAddress remoteAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            } catch (SocketException closed) {
                if (socket.isInputShutdown() || socket.isClosed()) {
                    return -1;
                }
                throw closed;
            }
        }

        @Override
        public void readTimeout(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
        }

        @Override
        public synchronized void write(ByteBuffer... srcs) throws IOException {
            for (ByteBuffer b : srcs) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.write(bytes);
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void shutdownInput() throws IOException {
            socket.shutdownInput();
        }

        @Override
        public boolean draining() {
            return draining;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
