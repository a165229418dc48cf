package dev.starling.echo.internal;

import dev.starling.process.Connection;
import dev.starling.process.DatagramService;
import dev.starling.process.Process;
import dev.starling.process.ProcessContext;
import dev.starling.process.StreamService;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The {@code echo} protocol (RFC 862 over TCP): every byte received is sent back, in order,
 * until the peer closes. Between reads the connection counts as idle, so a draining worker
 * ends it at once; while bytes flow it is busy and the drain waits.
 *
 * <p>Over datagrams (RFC 862 over UDP), each datagram is sent back to its sender as it came.
 */
public final class EchoProcess implements Process {

    /** Setting {@code echo-buffer}: bytes read per call, 512..1048576, default 16384. */
    static final String BUFFER_SETTING = "echo-buffer";

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public StreamService prepare(ProcessContext context) {
        int bufferSize = context.intSetting(BUFFER_SETTING, 16384, 512, 1 << 20);
        return connection -> echo(connection, bufferSize);
    }

    @Override
    public Optional<DatagramService> prepareDatagrams(ProcessContext context) {
        return Optional.of(datagram -> datagram.reply(datagram.payload()));
    }

    static void echo(Connection connection, int bufferSize) throws java.io.IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
        while (true) {
            connection.idle();
            int n = connection.read(buffer);
            if (n < 0) {
                return;
            }
            connection.busy();
            buffer.flip();
            connection.write(buffer);
            buffer.clear();
        }
    }
}
