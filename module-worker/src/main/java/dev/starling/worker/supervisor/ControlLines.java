package dev.starling.worker.supervisor;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The framing of the {@link ControlChannel} protocol, for both ends: lines of UTF-8 text ended by
 * LF, at most {@value ControlChannel#MAX_LINE_BYTES} bytes before it. An instance splits what one
 * connection delivers into lines; not thread-safe.
 */
final class ControlLines {

    private final ByteBuffer buffer = ByteBuffer.allocate(ControlChannel.MAX_LINE_BYTES + 1);
    private int scanned;

    /** Reads what {@code channel} has room for; -1 at end-of-file. */
    int readFrom(ReadableByteChannel channel) throws IOException {
        return channel.read(buffer);
    }

    /**
     * The next complete line, LF removed, or null until more is read.
     *
     * @throws ProtocolException when more than {@value ControlChannel#MAX_LINE_BYTES} bytes came without an LF
     */
    String next() throws ProtocolException {
        byte[] bytes = buffer.array();
        for (int i = scanned; i < buffer.position(); i++) {
            if (bytes[i] == '\n') {
                String line = new String(bytes, 0, i, StandardCharsets.UTF_8);
                int rest = buffer.position() - i - 1;
                System.arraycopy(bytes, i + 1, bytes, 0, rest);
                buffer.position(rest);
                scanned = 0;
                return line;
            }
        }
        scanned = buffer.position();
        if (scanned > ControlChannel.MAX_LINE_BYTES) {
            throw new ProtocolException("a line longer than " + ControlChannel.MAX_LINE_BYTES + " bytes");
        }
        return null;
    }

    /** The bytes of {@code line} with its LF; refuses a line the other end would refuse. */
    static byte[] encode(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0 || bytes.length - 1 > ControlChannel.MAX_LINE_BYTES) {
            throw new IllegalArgumentException("a control line must be one line of at most " + ControlChannel.MAX_LINE_BYTES + " bytes");
        }
        return bytes;
    }

    /** Closes a socket or channel of the channel's; a failure is only logged, as the other side is gone or going. */
    static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (java.io.IOException e) {
            System.getLogger(ControlLines.class.getName()).log(System.Logger.Level.DEBUG, () -> "closing " + closeable + " failed: " + e);
        }
    }
}
