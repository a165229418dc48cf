package dev.starling.worker.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The little of ASN.1 DER (ITU-T X.690) that turning PKCS#1 and SEC1 private keys into PKCS#8
 * needs: reading the elements of a SEQUENCE, and writing tag-length-value triples. The JDK's
 * {@code KeyFactory} reads PKCS#8 only, and its own DER classes are not exported.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** {@code [0]}, constructed: the context-specific tag SEC1 gives the curve parameters. */
    static final int CONTEXT_0 = 0xA0;

    /** One element: its tag and its content octets. */
    record Element(int tag, byte[] content) {
    }

    private Der() {
    }

    /**
     * The elements inside the single SEQUENCE that {@code der} holds.
     *
     * @throws IllegalArgumentException when {@code der} is not one well-formed SEQUENCE
     */
    static List<Element> sequence(byte[] der) {
        List<Element> outer = elements(der);
        if (outer.size() != 1 || outer.get(0).tag() != SEQUENCE) {
            throw new IllegalArgumentException("not a DER SEQUENCE");
        }
        return elements(outer.get(0).content());
    }

    /** The consecutive elements that fill {@code der} exactly. */
    static List<Element> elements(byte[] der) {
        List<Element> found = new ArrayList<>();
        int at = 0;
        while (at < der.length) {
            if (der.length - at < 2) {
                throw new IllegalArgumentException("truncated DER element at offset " + at);
            }
            int tag = der[at++] & 0xFF;
            int length = der[at++] & 0xFF;
            if (length > 0x7F) {
                int octets = length & 0x7F;
                if (octets == 0 || octets > 3 || der.length - at < octets) {
                    throw new IllegalArgumentException("unsupported DER length at offset " + (at - 1));
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[at++] & 0xFF);
                }
            }
            if (der.length - at < length) {
                throw new IllegalArgumentException("DER element at offset " + at + " runs past the end");
            }
            found.add(new Element(tag, Arrays.copyOfRange(der, at, at + length)));
            at += length;
        }
        return found;
    }

    /** One element with its tag and definite length (X.690 8.1.3). */
    static byte[] encode(int tag, byte[]... contents) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            content.writeBytes(c);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** The encoding of {@code element} again, tag and length included. */
    static byte[] encode(Element element) {
        return encode(element.tag(), element.content());
    }
}
