package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.starling.http.QueryParameters;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class QueryParametersProperties {

    @Provide
    Arbitrary<List<Map.Entry<String, String>>> parameters() {
        // Few distinct names, so that repeats are common.
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("a", "b", "c d", "é", "&", "="), Arbitraries.strings().ofMaxLength(5));
        Arbitrary<String> value = Arbitraries.strings().ofMaxLength(8);
        Arbitrary<Map.Entry<String, String>> entry = Combinators.combine(name, value).as(SimpleImmutableEntry::new);
        return entry.list().ofMaxSize(10);
    }

    @Property
    void keepsOrderAndRepeatedNames(@ForAll("parameters") List<Map.Entry<String, String>> parameters) {
        assertEquals(parameters, QueryParameters.parse(encode(parameters)).entries());
    }

    @Property
    void allReturnsEveryValueOfANameInOrder(@ForAll("parameters") List<Map.Entry<String, String>> parameters) {
        QueryParameters parsed = QueryParameters.parse(encode(parameters));
        for (Map.Entry<String, String> e : parameters) {
            List<String> expected = parameters.stream().filter(p -> p.getKey().equals(e.getKey())).map(Map.Entry::getValue).toList();
            assertEquals(expected, parsed.all(e.getKey()));
        }
    }

    @Property
    void parsesTheSameInsideARequestTarget(@ForAll("parameters") List<Map.Entry<String, String>> parameters) {
        String query = encode(parameters);
        assertEquals(parameters, RequestTarget.parse("/p?" + query, "GET").query().entries());
    }

    private static String encode(List<Map.Entry<String, String>> parameters) {
        return parameters.stream()
                .map(e -> PercentCodec.encode(e.getKey()) + "=" + PercentCodec.encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }
}
