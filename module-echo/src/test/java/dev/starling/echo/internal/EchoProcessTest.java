package dev.starling.echo.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.starling.process.Connection;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EchoProcessTest {

    /** A connection whose peer sends {@code input} in reads of at most {@code chunk} bytes, then closes. */
    static final class ScriptedConnection implements Connection {
        final ByteBuffer input;
        final int chunk;
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        int idles;

        ScriptedConnection(byte[] input, int chunk) {
            this.input = ByteBuffer.wrap(input);
            this.chunk = chunk;
        }

        @Override
        public long id() {
            return 1;
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 2);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!input.hasRemaining()) {
                return -1;
            }
            int n = Math.min(Math.min(chunk, dst.remaining()), input.remaining());
            dst.put(input.slice(input.position(), n));
            input.position(input.position() + n);
            return n;
        }

        @Override
        public void readTimeout(Duration timeout) {
        }

        @Override
        public void write(ByteBuffer... srcs) {
            for (ByteBuffer b : srcs) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                output.writeBytes(bytes);
            }
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void shutdownInput() {
        }

        @Override
        public void idle() {
            idles++;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void runsInTheNamedModule() {
        assertEquals("dev.starling.echo", getClass().getModule().getName());
    }

    @Test
    void echoesEveryByteInOrderWhateverTheReadSizes() throws Exception {
        byte[] data = new byte[70_000];
        new java.util.Random(7).nextBytes(data);
        for (int chunk : new int[] {1, 13, 4096, 70_000}) {
            ScriptedConnection c = new ScriptedConnection(data, chunk);
            EchoProcess.echo(c, 1024);
            assertArrayEquals(data, c.output.toByteArray(), "chunk " + chunk);
        }
    }

    @Test
    void marksTheConnectionIdleBeforeEveryRead() throws Exception {
        ScriptedConnection c = new ScriptedConnection(new byte[10], 5);
        EchoProcess.echo(c, 1024);
        assertEquals(3, c.idles, "two reads of data and the final end-of-stream");
    }

    @Test
    void answersEachDatagramWithItsOwnBytes() throws Exception {
        dev.starling.process.DatagramService service = new EchoProcess().prepareDatagrams(new dev.starling.process.ProcessContext() {
            @Override
            public java.util.Optional<String> setting(String name) {
                return java.util.Optional.empty();
            }

            @Override
            public ModuleLayer layer() {
                return ModuleLayer.boot();
            }

            @Override
            public String serverName() {
                return "test";
            }
        }).orElseThrow();
        ByteBuffer[] answered = new ByteBuffer[1];
        service.serve(new dev.starling.process.Datagram() {
            @Override
            public long id() {
                return 1;
            }

            @Override
            public ByteBuffer payload() {
                return ByteBuffer.wrap(new byte[] {1, 2, 3});
            }

            @Override
            public SocketAddress sender() {
                return new InetSocketAddress("127.0.0.1", 1);
            }

            @Override
            public SocketAddress localAddress() {
                return new InetSocketAddress("127.0.0.1", 2);
            }

            @Override
            public boolean reply(ByteBuffer answer) {
                answered[0] = answer;
                return true;
            }
        });
        assertArrayEquals(new byte[] {1, 2, 3}, answered[0].array());
    }
}
