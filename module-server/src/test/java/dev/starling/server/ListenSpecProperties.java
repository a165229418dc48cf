package dev.starling.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the {@code --listen} parser over generated specs. */
class ListenSpecProperties {

    @Property(tries = 300)
    void everyWellFormedSpecReadsBackFromItsText(@ForAll("wellFormedSpecs") String text) {
        ListenSpec spec = ListenSpec.parse(text, false, OptionalInt.empty());
        assertEquals(spec, ListenSpec.parse(spec.toString(), false, OptionalInt.empty()));
    }

    @Property(tries = 500)
    void anyTextParsesOrGetsTheFlagAndTheForms(@ForAll("specLikeText") String text) {
        try {
            ListenSpec.parse(text, false, OptionalInt.empty());
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("--listen '" + text + "': "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; accepted forms: " + ListenSpec.FORMS), e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> wellFormedSpecs() {
        Arbitrary<String> port = Arbitraries.integers().between(0, 65535).map(String::valueOf);
        Arbitrary<String> v4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(parts -> String.join(".", parts.stream().map(String::valueOf).toList()));
        Arbitrary<String> v6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
                .map(parts -> "[" + String.join(":", parts.stream().map(Integer::toHexString).toList()) + "]");
        Arbitrary<String> scheme = Arbitraries.of("", "tcp://", "tls://", "udp://");
        Arbitrary<String> inet = Combinators.combine(scheme, Arbitraries.oneOf(v4, v6, Arbitraries.just("[::]"), Arbitraries.just("[::1]")), port)
                .as((s, host, p) -> s + host + ":" + p);
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_', '.', '0').ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> unix = Arbitraries.oneOf(name.map(n -> "unix:@" + n), name.map(n -> "unix:/tmp/" + n));
        return Arbitraries.oneOf(inet, unix);
    }

    @Provide
    Arbitrary<String> specLikeText() {
        // No letters in host positions: a name would be looked up in DNS, which this test is not about.
        Arbitrary<String> prefix = Arbitraries.of("", "unix:", "udp://", "tls://", "tcp://", "x://");
        return Combinators.combine(prefix, Arbitraries.strings().withChars("0123456789:[]/.@-").ofMaxLength(30)).as(String::concat);
    }
}
