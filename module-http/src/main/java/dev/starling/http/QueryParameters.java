package dev.starling.http;

import dev.starling.http.internal.PercentCodec;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The decoded parameters of a query ({@code ?a=1&b=2&a=3}) or of an
 * {@code application/x-www-form-urlencoded} body: ordered, with repeated names kept, names
 * compared exactly (queries are case-sensitive). Immutable and safe to share between threads.
 */
public final class QueryParameters {

    /** No parameters. */
    public static final QueryParameters EMPTY = new QueryParameters(List.of());

    private final List<Map.Entry<String, String>> entries;

    private QueryParameters(List<Map.Entry<String, String>> entries) {
        this.entries = entries;
    }

    /**
     * Parses a raw query, without its leading {@code ?}. Pairs are separated by {@code &};
     * the first {@code =} splits a name from its value; a pair without {@code =} has the empty
     * value; empty pairs ({@code a=1&&b=2}) are skipped; {@code +} is a space and
     * {@code %XX} escapes are decoded as UTF-8 in names and values.
     *
     * @throws IllegalArgumentException when a {@code %} is not followed by two hex digits or
     *         the escapes do not decode as UTF-8; the server answers such a request-target 400
     */
    public static QueryParameters parse(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return EMPTY;
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        int n = rawQuery.length();
        int start = 0;
        while (start <= n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            if (end > start) {
                int eq = rawQuery.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    eq = end;
                }
                String name = PercentCodec.decode(rawQuery, start, eq, true);
                String value = eq == end ? "" : PercentCodec.decode(rawQuery, eq + 1, end, true);
                entries.add(new SimpleImmutableEntry<>(name, value));
            }
            start = end + 1;
        }
        return entries.isEmpty() ? EMPTY : new QueryParameters(Collections.unmodifiableList(entries));
    }

    /** Parameters from alternating names and values, e.g. {@code QueryParameters.of("q", "java")}. */
    public static QueryParameters of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("QueryParameters.of needs names and values in pairs, got "
                    + namesAndValues.length + " strings");
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            entries.add(new SimpleImmutableEntry<>(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new QueryParameters(Collections.unmodifiableList(entries));
    }

    /** The value of the first parameter named {@code name}, if any. */
    public Optional<String> first(String name) {
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equals(name)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** The values of every parameter named {@code name}, in order; empty when there is none. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equals(name)) {
                values.add(e.getValue());
            }
        }
        return Collections.unmodifiableList(values);
    }

    /** The distinct names in order of first occurrence. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : entries) {
            names.add(e.getKey());
        }
        return Collections.unmodifiableSet(names);
    }

    /** Every parameter as a name-value entry, in order, repeated names included. */
    public List<Map.Entry<String, String>> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryParameters other && other.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "QueryParameters" + entries;
    }
}
