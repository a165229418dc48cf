package dev.starling.http.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The incremental UTF-8 check agrees with the JDK's strict decoder, however the bytes are split. */
class Utf8ValidatorProperties {

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<byte[]> mostlyText() {
        Arbitrary<byte[]> text = Arbitraries.strings().all().ofMaxLength(40).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(12);
        Arbitrary<byte[]> edges = Arbitraries.of(
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // over U+10FFFF
                new byte[] {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, // overlong
                new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x90, (byte) 0xA6}, // a bird
                new byte[] {(byte) 0xC2});
        return Arbitraries.oneOf(text, noise, edges).list().ofMaxSize(4).map(parts -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    @Property(tries = 2000)
    void agreesWithTheJdkDecoder(@ForAll("mostlyText") byte[] bytes) {
        assertEquals(jdkAccepts(bytes), Utf8Validator.isValid(bytes, 0, bytes.length));
    }

    @Property(tries = 1000)
    void splittingDoesNotChangeTheVerdict(@ForAll("mostlyText") byte[] bytes, @ForAll @IntRange(min = 0, max = 200) int cut) {
        int at = Math.min(cut, bytes.length);
        Utf8Validator v = new Utf8Validator();
        boolean split = v.feed(bytes, 0, at) && v.feed(bytes, at, bytes.length) && v.complete();
        assertEquals(Utf8Validator.isValid(bytes, 0, bytes.length), split);
    }
}
