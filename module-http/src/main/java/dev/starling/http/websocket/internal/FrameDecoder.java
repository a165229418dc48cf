package dev.starling.http.websocket.internal;

import dev.starling.http.websocket.CloseCodes;
import java.nio.ByteBuffer;

/**
 * Splits received bytes into frames (RFC 6455 §5.2) and enforces the rules that one frame breaks
 * on its own: client frames are masked (§5.1), reserved bits are clear unless an extension
 * defines them (§5.2), opcodes are defined, control frames are whole and at most 125 bytes
 * (§5.5), lengths fit in 63 bits, and a data frame is no larger than the message limit. Rules
 * across frames (fragmentation, UTF-8, message size) are {@link MessageAssembler}'s.
 *
 * <p>Push-style: {@link #decode} takes whatever bytes have arrived and returns a frame once all
 * of it is in, so the result never depends on how reads split the stream. One per connection,
 * not thread-safe.
 */
final class FrameDecoder {

    private final long maxPayload;
    private final boolean rsv1Allowed;

    // The frame whose payload is being received; payload == null between frames.
    private boolean fin;
    private boolean rsv1;
    private int opcode;
    private byte[] payload;
    private int filled;
    private int mask;

    /**
     * @param maxPayload  the largest data frame payload accepted ({@code --ws-max-message}); larger fails with 1009
     * @param rsv1Allowed whether permessage-deflate was negotiated, so RSV1 may be set
     */
    FrameDecoder(long maxPayload, boolean rsv1Allowed) {
        this.maxPayload = maxPayload;
        this.rsv1Allowed = rsv1Allowed;
    }

    /**
     * The next frame, consuming its bytes from {@code in}; {@code null} when {@code in} holds no
     * complete frame yet (the bytes of a partial payload are consumed and kept; a partial header
     * is left in {@code in}).
     *
     * @throws ProtocolViolation when the frame breaks a rule, as soon as its header shows it
     */
    Frame decode(ByteBuffer in) throws ProtocolViolation {
        if (payload == null && !readHeader(in)) {
            return null;
        }
        int n = Math.min(in.remaining(), payload.length - filled);
        in.get(payload, filled, n);
        filled += n;
        if (filled < payload.length) {
            return null;
        }
        unmask(payload, mask);
        Frame frame = new Frame(fin, rsv1, opcode, payload);
        payload = null;
        return frame;
    }

    /** Reads and checks a frame header; false when not all of it is in yet. */
    private boolean readHeader(ByteBuffer in) throws ProtocolViolation {
        if (in.remaining() < 2) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xFF;
        int b1 = in.get(p + 1) & 0xFF;
        boolean finBit = (b0 & 0x80) != 0;
        boolean rsv1Bit = (b0 & 0x40) != 0;
        int op = b0 & 0x0F;
        int len7 = b1 & 0x7F;
        if ((b0 & 0x30) != 0) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "reserved bits RSV2/RSV3 set (RFC 6455 5.2)");
        }
        if (!Frame.isDefined(op)) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "reserved opcode " + op + " (RFC 6455 5.2)");
        }
        if (Frame.isControl(op)) {
            if (!finBit) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "fragmented control frame (RFC 6455 5.5)");
            }
            if (len7 > Frame.MAX_CONTROL_PAYLOAD) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "control frame payload over 125 bytes (RFC 6455 5.5)");
            }
            if (rsv1Bit) {
                throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "RSV1 set on a control frame (RFC 7692 6)");
            }
        } else if (rsv1Bit && !rsv1Allowed) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "reserved bit RSV1 set without an extension (RFC 6455 5.2)");
        }
        if ((b1 & 0x80) == 0) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "unmasked client frame (RFC 6455 5.1)");
        }
        int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int headerLength = 2 + lengthBytes + 4;
        if (in.remaining() < headerLength) {
            return false;
        }
        long length = switch (lengthBytes) {
            case 2 -> in.getShort(p + 2) & 0xFFFF;
            case 8 -> in.getLong(p + 2);
            default -> len7;
        };
        if (length < 0) {
            throw new ProtocolViolation(CloseCodes.PROTOCOL_ERROR, "64-bit payload length with its high bit set (RFC 6455 5.2)");
        }
        if (length > maxPayload) {
            throw new ProtocolViolation(CloseCodes.TOO_BIG, "message over " + maxPayload + " bytes (--ws-max-message)");
        }
        mask = in.getInt(p + 2 + lengthBytes);
        in.position(p + headerLength);
        fin = finBit;
        rsv1 = rsv1Bit;
        opcode = op;
        payload = new byte[(int) length];
        filled = 0;
        return true;
    }

    /** XORs {@code data} with the 4-byte masking key, big-endian as it appeared on the wire (RFC 6455 5.3). */
    static void unmask(byte[] data, int mask) {
        if (mask == 0) {
            return;
        }
        long wide = (mask & 0xFFFFFFFFL) << 32 | (mask & 0xFFFFFFFFL);
        ByteBuffer view = ByteBuffer.wrap(data); // big-endian, like the key
        int i = 0;
        for (int end = data.length - 7; i < end; i += 8) {
            view.putLong(i, view.getLong(i) ^ wide);
        }
        for (; i < data.length; i++) {
            data[i] ^= (byte) (mask >>> (24 - 8 * (i & 3)));
        }
    }
}
