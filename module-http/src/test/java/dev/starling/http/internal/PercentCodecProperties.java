package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class PercentCodecProperties {

    @Property
    void decodingInvertsEncodingInPaths(@ForAll String text) {
        assertEquals(text, PercentCodec.decode(PercentCodec.encode(text), false));
    }

    @Property
    void decodingInvertsEncodingInQueries(@ForAll String text) {
        assertEquals(text, PercentCodec.decode(PercentCodec.encode(text), true));
    }

    @Property
    void encodingUsesOnlyUnreservedCharactersAndEscapes(@ForAll String text) {
        String encoded = PercentCodec.encode(text);
        assertEquals("", encoded.replaceAll("[A-Za-z0-9\\-._~]|%[0-9A-F]{2}", ""));
    }

    @Property
    void decodingAnyTextGivesTextOrTheDocumentedException(@ForAll String text) {
        try {
            PercentCodec.decode(text, true);
        } catch (MalformedTargetException expected) {
            // The documented outcome for malformed escapes and non-UTF-8 bytes.
            assertEquals(MalformedTargetException.class, expected.getClass());
        }
    }
}
