package dev.starling.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.process.Datagram;
import dev.starling.worker.DatagramListener;
import dev.starling.worker.DatagramWorker;
import dev.starling.worker.Endpoint;
import dev.starling.worker.WorkerConfig;
import dev.starling.worker.supervisor.WorkerGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The datagram counterpart of {@link WorkerContractTest}, for every {@link DatagramWorker}
 * provider: receive, answer the sender, many senders, shutdown, receive deadline.
 */
class DatagramWorkerContractTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    private static DatagramListener bind(String address, boolean ipv6Only) throws IOException {
        DatagramWorker udp = ServiceLoader.load(DatagramWorker.class).stream().map(ServiceLoader.Provider::get)
                .filter(w -> w.name().equals("udp")).findFirst().orElseThrow();
        Endpoint endpoint = new Endpoint.Inet(new InetSocketAddress(InetAddress.getByName(address), 0), ipv6Only);
        return udp.bind(new WorkerConfig(endpoint, 1, WorkerConfig.ListenMode.REUSEPORT, OptionalInt.empty()));
    }

    private static WorkerGroup echoGroup(DatagramListener listener) {
        return new WorkerGroup(List.of(), connection -> { }, Duration.ofMillis(200), Duration.ofSeconds(5), () -> true,
                1000, 0, () -> { }, new WorkerGroup.Datagrams(List.of(listener), d -> d.reply(d.payload())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void receivesADatagramWithItsSenderAndAnswersIt(String address) throws Exception {
        try (DatagramListener listener = bind(address, address.contains(":")); DatagramChannel client = DatagramChannel.open()) {
            client.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            client.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), listener.localAddress());
            Datagram d = listener.receive(BOUND);
            assertEquals("ping", StandardCharsets.US_ASCII.decode(d.payload().duplicate()).toString());
            assertEquals(client.getLocalAddress(), d.sender());
            assertTrue(d.reply(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII))), "the answer was sent");
            ByteBuffer in = ByteBuffer.allocate(16);
            client.socket().setSoTimeout((int) BOUND.toMillis());
            java.net.DatagramPacket packet = new java.net.DatagramPacket(in.array(), in.capacity());
            client.socket().receive(packet);
            assertEquals("pong", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aGroupAnswersManySendersEachTheirOwn(String address) throws Exception {
        DatagramListener listener = bind(address, false);
        WorkerGroup group = echoGroup(listener);
        Thread runner = Thread.ofPlatform().start(() -> {
            try {
                group.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Set<String> answers = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                try (DatagramChannel client = DatagramChannel.open()) {
                    client.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
                    java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[64], 64);
                    client.socket().setSoTimeout((int) BOUND.toMillis());
                    client.socket().send(new java.net.DatagramPacket(("sender " + i).getBytes(StandardCharsets.UTF_8),
                            ("sender " + i).length(), listener.localAddress()));
                    client.socket().receive(packet);
                    answers.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(20, answers.size(), "every sender got its own datagram back: " + answers);
            assertTrue(answers.contains("sender 7"), answers.toString());
        } finally {
            group.drain();
            runner.join(BOUND.toMillis());
        }
        assertTrue(!runner.isAlive(), "the group stopped after the drain");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void receiveReturnsNullAtItsDeadline(String address) throws Exception {
        try (DatagramListener listener = bind(address, false)) {
            long start = System.nanoTime();
            assertNull(listener.receive(Duration.ofMillis(100)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= Duration.ofMillis(90).toNanos(), "receive waited for its deadline, waited " + waited / 1_000_000 + " ms");
        }
    }
}
