package dev.starling.http.internal;

import dev.starling.process.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read side of a connection: one heap buffer that the request parser scans in place and
 * that request bodies are read through. The buffer is kept in read mode: bytes between its
 * position and limit have been received and not consumed. Not thread-safe.
 */
final class Inbound {

    /**
     * The buffer a connection starts with. Nearly every request head fits; a longer one grows
     * the buffer up to the head limit, and a request body grows it to that size at once, so
     * bodies stream through in reads as large as before. An idle connection holds this much,
     * not the whole limit (nginx starts with 1 KiB, {@code client_header_buffer_size}).
     */
    static final int INITIAL_CAPACITY = 4096;

    private final Connection connection;
    private final int maxCapacity;
    private ByteBuffer buffer;
    /** Where the unconsumed bytes begin while {@link #fill(Inline)} waits in write mode. */
    private int dataStart;

    /** @param maxCapacity at least the header-size limit, so a head that fits the limit fits the buffer */
    Inbound(Connection connection, int maxCapacity) {
        this(connection, INITIAL_CAPACITY, maxCapacity);
    }

    /** @param initialCapacity the size before the buffer grows, {@link #INITIAL_CAPACITY} but in tests; at least 1 */
    Inbound(Connection connection, int initialCapacity, int maxCapacity) {
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initialCapacity must be >= 1, was " + initialCapacity);
        }
        this.connection = connection;
        this.maxCapacity = maxCapacity;
        this.buffer = ByteBuffer.allocate(Math.min(initialCapacity, maxCapacity)).flip();
    }

    /** The received, unconsumed bytes; callers consume by moving the position. */
    ByteBuffer buffer() {
        return buffer;
    }

    boolean hasRemaining() {
        return buffer.hasRemaining();
    }

    /**
     * Reads more bytes after the unconsumed ones, moving those to the front first if the buffer
     * is full to its end.
     *
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws java.net.SocketTimeoutException when the read timeout passes; nothing is lost
     * @throws IllegalStateException when the buffer holds no free byte at all
     */
    int fill() throws IOException {
        int start = toWriteMode();
        try {
            return connection.read(buffer);
        } finally {
            buffer.limit(buffer.position()).position(start);
        }
    }

    /**
     * Like {@link #fill()}, but while it waits, bytes that arrive may be given to {@code inline}
     * on the transport's event loop ({@link Connection#read(ByteBuffer, Connection.EventLoopReader)}),
     * with this buffer in read mode holding them. The wait goes on while {@code inline} consumes
     * everything; when it leaves bytes (or an ending) to this thread, this returns as {@link #fill()}
     * does, with the bytes it left unconsumed.
     */
    int fill(Inline inline) throws IOException {
        dataStart = toWriteMode();
        try {
            return connection.read(buffer, n -> {
                buffer.limit(buffer.position()).position(dataStart);
                if (inline.serve() && !buffer.hasRemaining()) {
                    dataStart = 0;
                    buffer.clear();
                    return true;
                }
                // Back to write mode, as the waiting read left it, after what is left.
                dataStart = buffer.position();
                buffer.position(buffer.limit()).limit(buffer.capacity());
                return false;
            });
        } finally {
            buffer.limit(buffer.position()).position(dataStart);
        }
    }

    /** What {@link #fill(Inline)} runs on the event loop. */
    @FunctionalInterface
    interface Inline {
        /** Consumes what it can of the buffer (in read mode); true when it consumed it all and the wait may go on. */
        boolean serve() throws IOException;
    }

    /**
     * Turns the buffer to write mode after the unconsumed bytes, moving those to the front first
     * if the buffer is full to its end; returns where they begin.
     */
    private int toWriteMode() {
        int position = buffer.position();
        int limit = buffer.limit();
        if (position == limit) {
            position = 0;
            limit = 0;
        } else if (limit == buffer.capacity()) {
            if (position == 0) {
                if (buffer.capacity() >= maxCapacity) {
                    throw new IllegalStateException("read buffer of " + buffer.capacity() + " bytes is full");
                }
                grow(Math.min(maxCapacity, 2 * buffer.capacity()));
            } else {
                System.arraycopy(buffer.array(), position, buffer.array(), 0, limit - position);
                limit -= position;
                position = 0;
            }
        }
        buffer.limit(buffer.capacity()).position(limit);
        return position;
    }

    /** Grows the buffer to its largest size, before a request body streams through it. */
    void growForBody() {
        if (buffer.capacity() < maxCapacity) {
            grow(maxCapacity);
        }
    }

    /** Replaces the buffer (in read mode) by a larger one holding its unconsumed bytes at the front. */
    private void grow(int capacity) {
        ByteBuffer larger = ByteBuffer.allocate(capacity);
        larger.put(buffer).flip();
        buffer = larger;
    }

    /**
     * Reads from the connection straight into {@code dst}, bypassing the buffer; only when the
     * buffer is empty, and never more than the caller knows belongs to the current message.
     */
    int readDirect(byte[] dst, int off, int len) throws IOException {
        assert !buffer.hasRemaining();
        return connection.read(ByteBuffer.wrap(dst, off, len));
    }
}
