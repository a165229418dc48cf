package dev.starling.http.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.starling.http.internal.RawWebSocketClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The frame codec: what the decoder reads does not depend on how reads split the stream. */
class FrameCodecProperties {

    /** A client frame as a test makes it. */
    record Sent(boolean fin, int opcode, byte[] payload) {
        byte[] wire() {
            return RawWebSocketClient.frame((fin ? 0x80 : 0) | opcode, payload, true);
        }
    }

    @Provide
    Arbitrary<List<Sent>> clientFrames() {
        Arbitrary<byte[]> payloads = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(130),
                Arbitraries.bytes().array(byte[].class).ofMinSize(65530).ofMaxSize(65540),
                Arbitraries.integers().between(0, 200_000).map(byte[]::new));
        Arbitrary<Sent> frames = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(0, 1, 2),
                payloads).as(Sent::new);
        return frames.list().ofMaxSize(8);
    }

    @Property(tries = 150)
    void decodingDoesNotDependOnReadBoundaries(@ForAll("clientFrames") List<Sent> sent,
                                              @ForAll @IntRange(min = 1, max = 70_000) int readSize) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        sent.forEach(f -> wire.writeBytes(f.wire()));
        byte[] bytes = wire.toByteArray();
        FrameDecoder decoder = new FrameDecoder(1 << 20, false);
        List<Frame> decoded = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024).flip();
        int offset = 0;
        while (true) {
            Frame f = decoder.decode(buffer);
            if (f != null) {
                decoded.add(f);
                continue;
            }
            if (offset == bytes.length) {
                break;
            }
            buffer.compact();
            int n = Math.min(Math.min(readSize, buffer.remaining()), bytes.length - offset);
            buffer.put(bytes, offset, n).flip();
            offset += n;
        }
        assertEquals(sent.size(), decoded.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).fin(), decoded.get(i).fin());
            assertEquals(sent.get(i).opcode(), decoded.get(i).opcode());
            assertArrayEquals(sent.get(i).payload(), decoded.get(i).payload());
        }
    }

    @Property(tries = 300)
    void serverHeaderUsesTheShortestLengthForm(@ForAll @IntRange(min = 0, max = 300_000) int length) {
        byte[] header = new byte[FrameHeaders.MAX_LENGTH];
        int n = FrameHeaders.write(header, false, Frame.OP_BINARY, length);
        assertEquals(length < 126 ? 2 : length <= 0xFFFF ? 4 : 10, n);
        assertEquals((byte) 0x82, header[0]);
        long read = switch (n) {
            case 2 -> header[1];
            case 4 -> ByteBuffer.wrap(header, 2, 2).getShort() & 0xFFFF;
            default -> ByteBuffer.wrap(header, 2, 8).getLong();
        };
        assertEquals(length, read);
    }

    @Property(tries = 300)
    void unmaskUndoesMaskingAtAnyLength(@ForAll byte[] data, @ForAll int mask) {
        byte[] masked = data.clone();
        byte[] key = ByteBuffer.allocate(4).putInt(mask).array();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= key[i & 3];
        }
        FrameDecoder.unmask(masked, mask);
        assertArrayEquals(data, masked);
    }
}
