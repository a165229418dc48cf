package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** UDP listeners: the echo protocol answers each datagram to its sender; a stream-only protocol is refused. */
class DatagramTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void echoAnswersEveryDatagramToItsSender() throws Exception {
        ServerProcess server = servers.start("--worker", "2", "--process", "echo", "--listen", "udp://127.0.0.1:0");
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port(0));
        Set<String> answers = new HashSet<>();
        for (int client = 0; client < 10; client++) {
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                socket.setSoTimeout(2000);
                String message = "datagram from client " + client;
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                // UDP may drop a datagram: a few tries, each with a bounded wait.
                for (int attempt = 0; attempt < 5 && !answers.contains(message); attempt++) {
                    socket.send(new DatagramPacket(bytes, bytes.length, target));
                    DatagramPacket in = new DatagramPacket(new byte[256], 256);
                    try {
                        socket.receive(in);
                        answers.add(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8));
                    } catch (SocketTimeoutException lost) {
                        continue;
                    }
                }
            }
        }
        assertEquals(10, answers.size(), "each client got its own datagram back: " + answers);
    }

    @Test
    void socatGetsItsDatagramBackOverIpv6() throws Exception {
        ServerProcess server = servers.start("--worker", "1", "--process", "echo", "--listen", "udp://[::1]:0");
        String out = ListenersTest.run("ping over udp6\n", "socat", "-t", "3", "-T", "20", "-",
                "UDP6:[::1]:" + server.port(0));
        assertEquals("ping over udp6\n", out);
    }

    @Test
    void aStreamOnlyProtocolIsRefusedForUdp() throws Exception {
        ServerProcess server = servers.launch("--worker", "1", "--listen", "udp://127.0.0.1:0");
        assertEquals(1, server.awaitExit(Duration.ofSeconds(60)));
        assertTrue(server.output().contains("server: protocol 'http1' serves streams only, so it cannot serve udp:// listeners; "
                + "use a protocol that serves datagrams, such as echo (--process, --listen)"), server.output());
    }
}
