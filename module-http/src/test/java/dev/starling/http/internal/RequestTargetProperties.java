package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RequestTargetProperties {

    @Provide
    Arbitrary<String> urlish() {
        // Bytes a hostile client would try: escapes (valid, truncated, non-UTF-8), dots, slashes, controls, high bytes.
        return Arbitraries.of("/", "\\", ".", "..", "%", "%2", "%2e", "%2F", "%5c", "%00", "%C3", "%A9", "%C3%A9", "%FF",
                        "%E2%82", "?", "&", "=", "+", "#", "*", "a", "Z", "9", "~", " ", "\u0000", "\u007f", "\u00e9", "http://", "h:1")
                .list().ofMaxSize(20).map(parts -> String.join("", parts));
    }

    @Property(tries = 2000)
    void anyBytesGiveATargetOrTheDocumentedException(@ForAll byte[] bytes) {
        check(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Property(tries = 2000)
    void urlLikeInputGivesATargetOrTheDocumentedException(@ForAll("urlish") String raw) {
        check(raw);
        check("/" + raw);
    }

    private static void check(String raw) {
        RequestTarget target;
        try {
            target = RequestTarget.parse(raw, "GET");
        } catch (MalformedTargetException expected) {
            return; // the documented outcome, answered 400
        }
        assertNotNull(target.query());
        assertTrue(target.path().startsWith("/"), target.path());
    }
}
