package dev.starling.http.internal;

import dev.starling.process.Connection;
import dev.starling.process.ForwardingConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The connection as the HTTP/1.1 loop uses it, with responses to pipelined requests gathered
 * into one write: while {@link #hold} is on (more requests already sit in the read buffer and
 * the response is small and complete), writes are copied into a pending buffer instead of
 * going out one system call each; the batch goes out with the next write that is not held,
 * and always before the connection reads, sends a file, shuts its output or closes. So a
 * client never waits for a response while we wait for it.
 */
final class PipelineBatch extends ForwardingConnection {

    private static final int CAPACITY = 16 * 1024;

    private ByteBuffer pending; // allocated on the first held write: most connections never pipeline
    private boolean hold;

    PipelineBatch(Connection delegate) {
        super(delegate);
    }

    /** Whether the next writes may wait for the batch; set before each response. */
    void hold(boolean on) {
        hold = on;
    }

    @Override
    public void write(ByteBuffer... srcs) throws IOException {
        long size = 0;
        for (ByteBuffer b : srcs) {
            size += b.remaining();
        }
        if (hold && size <= CAPACITY) {
            if (pending == null) {
                pending = ByteBuffer.allocate(CAPACITY);
            }
            if (pending.remaining() < size) {
                flush();
            }
            for (ByteBuffer b : srcs) {
                pending.put(b);
            }
            return;
        }
        if (pending == null || pending.position() == 0) {
            delegate.write(srcs);
            return;
        }
        ByteBuffer[] all = new ByteBuffer[srcs.length + 1];
        all[0] = pending.flip();
        System.arraycopy(srcs, 0, all, 1, srcs.length);
        try {
            delegate.write(all);
        } finally {
            pending.clear();
        }
    }

    /** Sends what is pending, if anything. */
    void flush() throws IOException {
        if (pending != null && pending.position() > 0) {
            pending.flip();
            try {
                delegate.write(pending);
            } finally {
                pending.clear();
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        flush();
        return delegate.read(dst);
    }

    @Override
    public int read(ByteBuffer dst, EventLoopReader reader) throws IOException {
        flush();
        return delegate.read(dst, reader);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        flush();
        return delegate.transferFrom(file, position, count);
    }

    @Override
    public void shutdownOutput() throws IOException {
        flush();
        delegate.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            delegate.close();
        }
    }
}
