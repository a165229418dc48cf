package dev.starling.http.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Feeds a parser bytes as they would arrive in reads of a given size, as the connection loop does. */
final class ParserFeed {

    private ParserFeed() {
    }

    /**
     * Parses every head in {@code wire} (requests without bodies), revealing {@code cuts} bytes
     * at a time: the parser sees the same buffer grow, as after each read.
     */
    static List<RequestHead> parseAll(byte[] wire, int maxHeaderSize, int... cuts) throws RequestRejected {
        RequestParser parser = new RequestParser(maxHeaderSize, maxHeaderSize, 1_000_000);
        ByteBuffer in = ByteBuffer.wrap(wire.clone());
        in.limit(0);
        List<RequestHead> heads = new ArrayList<>();
        int revealed = 0;
        int cut = 0;
        while (revealed < wire.length) {
            int next = cut < cuts.length ? Math.min(cuts[cut++], wire.length) : wire.length;
            if (next <= revealed) {
                continue;
            }
            revealed = next;
            in.limit(revealed);
            RequestHead head;
            while ((head = parser.parse(in)) != null) {
                heads.add(head);
            }
        }
        return heads;
    }

    /** Cut points every {@code readSize} bytes. */
    static int[] every(int readSize, int length) {
        int[] cuts = new int[(length + readSize - 1) / readSize];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * readSize;
        }
        return cuts;
    }
}
