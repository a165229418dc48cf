package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeadersTest {

    private final Headers headers = Headers.of("Accept", "a", "X-Multi", "1", "x-multi", "2", "Host", "h");

    @Test
    void findsNamesCaseInsensitively() {
        assertEquals(Optional.of("h"), headers.first("HOST"));
        assertTrue(headers.contains("accept"));
        assertFalse(headers.contains("Cookie"));
    }

    @Test
    void keepsRepeatedFieldsInOrder() {
        assertEquals(List.of("1", "2"), headers.all("X-MULTI"));
        assertEquals(List.of(), headers.all("none"));
        assertEquals(Set.of("Accept", "X-Multi", "Host"), headers.names());
        assertEquals(Map.entry("x-multi", "2"), headers.entries().get(2));
    }

    @Test
    void withReplacesPlusAppendsWithoutRemoves() {
        assertEquals(List.of("3"), headers.with("x-multi", "3").all("X-Multi"));
        assertEquals(List.of("1", "2", "3"), headers.plus("X-Multi", "3").all("x-multi"));
        assertFalse(headers.without("X-MULTI").contains("x-multi"));
        assertEquals(4, headers.size(), "the original is unchanged");
    }

    @Test
    void equalityIgnoresNameCaseButNotOrder() {
        assertEquals(Headers.of("A", "1", "B", "2"), Headers.of("a", "1", "b", "2"));
        assertEquals(Headers.of("A", "1").hashCode(), Headers.of("a", "1").hashCode());
        assertFalse(Headers.of("A", "1", "B", "2").equals(Headers.of("B", "2", "A", "1")));
    }

    @Test
    void rejectsNamesThatAreNotTokensAndValuesWithControls() {
        assertThrows(IllegalArgumentException.class, () -> Headers.of("Bad Name", "v"));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("", "v"));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("X", "a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("X"));
    }

    @Test
    void aSizedBuilderHoldsMoreFieldsThanExpectedAndRefusesANegativeSize() {
        Headers.Builder builder = Headers.builder(1);
        for (int i = 0; i < 5; i++) {
            builder.add("F" + i, "v" + i);
        }
        Headers built = builder.build();
        assertEquals(5, built.size());
        assertEquals(java.util.Optional.of("v4"), built.first("f4"));
        assertEquals(0, Headers.builder(0).build().size());
        assertThrows(IllegalArgumentException.class, () -> Headers.builder(-1));
    }

    @Test
    void builderCannotChangeHeadersItBuilt() {
        Headers.Builder builder = Headers.builder().add("A", "1");
        Headers built = builder.build();
        assertThrows(IllegalStateException.class, () -> builder.add("B", "2"));
        assertEquals(1, built.size());
    }
}
