package dev.starling.http.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** permessage-deflate (RFC 7692): negotiation, both directions with and without context takeover, bounds. */
class PerMessageDeflateTest {

    /** What a client's compressor sends for {@code text}: raw DEFLATE, sync flush, tail removed. */
    private static byte[] clientCompress(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        byte[] out = new byte[data.length + 1024];
        int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        return Arrays.copyOf(out, n - 4);
    }

    private static byte[] clientInflate(Inflater inflater, ByteBuffer compressed) throws Exception {
        byte[] input = new byte[compressed.remaining() + 4];
        compressed.get(input, 0, compressed.remaining());
        input[input.length - 2] = (byte) 0xFF;
        input[input.length - 1] = (byte) 0xFF;
        inflater.setInput(input);
        byte[] out = new byte[1 << 20];
        int n = inflater.inflate(out);
        return Arrays.copyOf(out, n);
    }

    @Test
    void acceptsAPlainOfferAndEchoesNoParameters() {
        assertEquals(Optional.of("permessage-deflate"), PerMessageDeflate.negotiate(
                List.of("permessage-deflate; client_max_window_bits")).map(PerMessageDeflate.Agreement::responseValue));
    }

    @Test
    void honoursContextTakeoverParameters() {
        assertEquals(Optional.of("permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
                PerMessageDeflate.negotiate(List.of("permessage-deflate; server_no_context_takeover; client_no_context_takeover"))
                        .map(PerMessageDeflate.Agreement::responseValue));
    }

    @Test
    void declinesASmallerServerWindowAndTakesTheNextOffer() {
        assertEquals(Optional.of("permessage-deflate; client_no_context_takeover"), PerMessageDeflate.negotiate(List.of(
                "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_no_context_takeover"))
                .map(PerMessageDeflate.Agreement::responseValue));
    }

    @Test
    void declinesUnknownRepeatedAndMalformedParameters() {
        assertTrue(PerMessageDeflate.negotiate(List.of("permessage-deflate; foo")).isEmpty());
        assertTrue(PerMessageDeflate.negotiate(List.of("permessage-deflate; server_no_context_takeover; server_no_context_takeover")).isEmpty());
        assertTrue(PerMessageDeflate.negotiate(List.of("permessage-deflate; client_max_window_bits=99")).isEmpty());
        assertTrue(PerMessageDeflate.negotiate(List.of("permessage-deflate; server_no_context_takeover=1")).isEmpty());
        assertTrue(PerMessageDeflate.negotiate(List.of("x-webkit-deflate-frame")).isEmpty());
    }

    @Test
    void inflatesMessagesOfAClientThatKeepsItsContext() throws Exception {
        PerMessageDeflate server = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false));
        Deflater client = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] text = "the same words again and again and again".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            byte[] compressed = clientCompress(client, text);
            assertArrayEquals(text, server.inflate(compressed, compressed.length, 1000));
        }
        server.end();
    }

    @Test
    void compressesSoThatAClientInflaterKeepingContextReadsEveryMessage() throws Exception {
        for (boolean noTakeover : new boolean[] {false, true}) {
            PerMessageDeflate server = new PerMessageDeflate(new PerMessageDeflate.Agreement(noTakeover, false, false));
            Inflater client = new Inflater(true);
            byte[] data = "abcabcabcabcabc hello hello".repeat(50).getBytes(StandardCharsets.UTF_8);
            int first = -1;
            for (int i = 0; i < 3; i++) {
                ByteBuffer compressed = server.compress(ByteBuffer.wrap(data));
                int size = compressed.remaining();
                if (first < 0) {
                    first = size;
                } else if (!noTakeover) {
                    assertTrue(size < first, "with context takeover a repeated message compresses better");
                } else {
                    assertEquals(first, size, "without context takeover each message compresses alone");
                }
                assertArrayEquals(data, clientInflate(client, compressed));
            }
            server.end();
        }
    }

    @Test
    void aMessageInflatingPastTheLimitFailsWith1009() {
        PerMessageDeflate server = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false));
        byte[] bomb = clientCompress(new Deflater(Deflater.BEST_COMPRESSION, true), new byte[5_000_000]);
        assertTrue(bomb.length < 10_000);
        ProtocolViolation v = assertThrows(ProtocolViolation.class, () -> server.inflate(bomb, bomb.length, 1 << 20));
        assertEquals(1009, v.code());
        server.end();
    }

    @Test
    void dataThatIsNotDeflateFailsWith1007() {
        PerMessageDeflate server = new PerMessageDeflate(new PerMessageDeflate.Agreement(false, false, false));
        byte[] junk = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x12, 0x34};
        ProtocolViolation v = assertThrows(ProtocolViolation.class, () -> server.inflate(junk, junk.length, 1000));
        assertEquals(1007, v.code());
        server.end();
    }
}
