package dev.starling.http;

import dev.starling.http.internal.Ascii;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, ordered list of header fields. Names are matched case-insensitively (RFC 9110
 * §5.1) but kept as received; a name may repeat, and the order of the fields is kept, so
 * {@link #all} returns the values of repeated fields in the order they were sent.
 *
 * <p>Every name is a token and every value holds only visible characters, ISO-8859-1 text,
 * spaces and tabs: a {@code Headers} can never carry a CR or LF into a response. Safe to share
 * between threads.
 */
public final class Headers implements Iterable<Map.Entry<String, String>> {

    /** No fields. */
    public static final Headers EMPTY = new Headers(new String[0], new String[0], 0);

    private final String[] names;
    private final String[] values;
    private final int size;

    private Headers(String[] names, String[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /**
     * Fields from alternating names and values, e.g. {@code Headers.of("Accept", "text/html")}.
     *
     * @throws IllegalArgumentException when the count is odd, a name is not a token or a value
     *         holds a forbidden character
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Headers.of needs names and values in pairs, got "
                    + namesAndValues.length + " strings");
        }
        Builder builder = builder(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /** A builder that adds fields in order. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that adds fields in order, sized for {@code expectedFields}: it holds that many
     * without growing, and grows past it as {@link #builder()}'s does.
     *
     * @throws IllegalArgumentException when {@code expectedFields} is negative
     */
    public static Builder builder(int expectedFields) {
        if (expectedFields < 0) {
            throw new IllegalArgumentException("expectedFields must be >= 0, was " + expectedFields);
        }
        return new Builder(expectedFields);
    }

    /** The value of the first field named {@code name}, if any. */
    public Optional<String> first(String name) {
        int i = indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(values[i]);
    }

    /** The values of every field named {@code name}, in order; empty when there is none. */
    public List<String> all(String name) {
        List<String> found = null;
        for (int i = 0; i < size; i++) {
            if (Ascii.equalsIgnoreCase(names[i], name)) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(values[i]);
            }
        }
        return found == null ? List.of() : Collections.unmodifiableList(found);
    }

    /** Whether a field named {@code name} is present. */
    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The number of fields, counting repeated names once per field. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The name of field {@code index}, as received. */
    public String name(int index) {
        return names[Objects.checkIndex(index, size)];
    }

    /** The value of field {@code index}. */
    public String value(int index) {
        return values[Objects.checkIndex(index, size)];
    }

    /** The distinct names, each spelled as its first occurrence, in order of first occurrence. */
    public Set<String> names() {
        Set<String> lower = new LinkedHashSet<>();
        Set<String> result = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            if (lower.add(names[i].toLowerCase(Locale.ROOT))) {
                result.add(names[i]);
            }
        }
        return Collections.unmodifiableSet(result);
    }

    /** The fields as name-value entries, in order. */
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(new SimpleImmutableEntry<>(names[i], values[i]));
        }
        return Collections.unmodifiableList(entries);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    /** These fields with every field named {@code name} replaced by one field at the end. */
    public Headers with(String name, String value) {
        return without(name).plus(name, value);
    }

    /** These fields with one more field at the end; existing fields of that name stay. */
    public Headers plus(String name, String value) {
        Builder builder = new Builder(size + 1);
        for (int i = 0; i < size; i++) {
            builder.append(names[i], values[i]);
        }
        return builder.add(name, value).build();
    }

    /** These fields without any field named {@code name}. */
    public Headers without(String name) {
        if (!contains(name)) {
            return this;
        }
        Builder builder = new Builder(size);
        for (int i = 0; i < size; i++) {
            if (!Ascii.equalsIgnoreCase(names[i], name)) {
                builder.append(names[i], values[i]);
            }
        }
        return builder.build();
    }

    private int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (Ascii.equalsIgnoreCase(names[i], name)) {
                return i;
            }
        }
        return -1;
    }

    /** Equal when both hold the same fields in the same order, names compared case-insensitively. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Headers other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!Ascii.equalsIgnoreCase(names[i], other.names[i]) || !values[i].equals(other.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) {
            h = 31 * h + names[i].toLowerCase(Locale.ROOT).hashCode();
            h = 31 * h + values[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(values[i]);
        }
        return sb.append(']').toString();
    }

    /** Collects fields in order; not thread-safe, builds once. */
    public static final class Builder {
        private String[] names;
        private String[] values;
        private int size;

        private Builder() {
            this(8);
        }

        private Builder(int capacity) {
            names = new String[Math.max(capacity, 1)];
            values = new String[names.length];
        }

        /**
         * Adds a field after those already added.
         *
         * @throws IllegalArgumentException when {@code name} is not a token (RFC 9110 §5.1) or
         *         {@code value} holds a control character other than HTAB, or a character
         *         outside ISO-8859-1 (RFC 9110 §5.5)
         */
        public Builder add(String name, String value) {
            if (!Ascii.isToken(name)) {
                throw new IllegalArgumentException("header name '" + name + "' is not a token (RFC 9110 §5.1)");
            }
            int bad = Ascii.invalidFieldValueIndex(value);
            if (bad >= 0) {
                throw new IllegalArgumentException("value of header " + name + " holds the character U+"
                        + String.format("%04X", (int) value.charAt(bad)) + " at index " + bad
                        + "; only visible characters, spaces, tabs and ISO-8859-1 text are allowed (RFC 9110 §5.5)");
            }
            return append(name, value);
        }

        private Builder append(String name, String value) {
            if (names == null) {
                throw new IllegalStateException("this Headers.Builder has already built its Headers");
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        /** The fields added so far; the builder cannot be used afterwards. */
        public Headers build() {
            Headers built = size == 0 ? EMPTY : new Headers(names, values, size);
            names = null; // the arrays now belong to the immutable Headers
            values = null;
            return built;
        }
    }
}
