package dev.starling.worker.internal;

import dev.starling.process.Datagram;
import dev.starling.worker.DatagramListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound UDP socket, non-blocking for good and waited on with a selector, so a receive honours
 * its deadline. Each datagram gets its own copy of the bytes, since it is served on a thread of
 * its own while the next one is received.
 */
final class UdpListener extends SelectingListener<DatagramChannel> implements DatagramListener {

    /** The largest UDP payload (65,535 minus the IP and UDP headers, for IPv4; IPv6 allows as much). */
    static final int MAX_PAYLOAD = 65_507;

    private static final AtomicLong IDS = new AtomicLong();

    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65_536);

    UdpListener(DatagramChannel channel, SocketAddress localAddress) throws IOException {
        super(channel, SelectionKey.OP_READ, localAddress, "udp");
    }

    @Override
    public Datagram receive(Duration timeout) throws IOException {
        return SelectorWait.until(selector, timeout, () -> {
            receiveBuffer.clear();
            SocketAddress sender = channel.receive(receiveBuffer);
            if (sender == null) {
                return null;
            }
            receiveBuffer.flip();
            ByteBuffer payload = ByteBuffer.allocate(receiveBuffer.remaining()).put(receiveBuffer).flip();
            return new UdpDatagram(IDS.incrementAndGet(), payload, sender, localAddress(), channel);
        });
    }

    /** One received datagram; {@code channel} is the listener's, shared by the answers (sends are thread-safe). */
    private record UdpDatagram(long id, ByteBuffer payload, SocketAddress sender, SocketAddress localAddress,
                               DatagramChannel channel) implements Datagram {
        @Override
        public boolean reply(ByteBuffer answer) throws IOException {
            if (answer.remaining() > MAX_PAYLOAD) {
                throw new IOException("an answer of " + answer.remaining() + " bytes exceeds the largest UDP payload of "
                        + MAX_PAYLOAD + " bytes");
            }
            // Non-blocking: 0 means the send buffer is full and the datagram was not sent.
            return channel.send(answer, sender) > 0 || !answer.hasRemaining();
        }

        @Override
        public String toString() {
            return "datagram " + id + " from " + sender;
        }
    }
}
