package dev.starling.process;

import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Picks a service provider by its short name, the way every Starling SPI is selected on the
 * command line. The caller makes the {@link ServiceLoader} because only a module that
 * declares {@code uses} for a service may load it.
 */
public final class Providers {

    private Providers() {
    }

    /**
     * The provider of {@code loader} whose name is {@code name}.
     *
     * @param kind what the operator calls these providers, for messages, e.g. {@code "protocol"}
     * @throws IllegalArgumentException when none has that name; the message lists the names available
     * @throws IllegalStateException    when several claim it; the message names their classes
     * @throws java.util.ServiceConfigurationError when a provider cannot be instantiated
     */
    public static <T> T byName(ServiceLoader<T> loader, Function<? super T, String> nameOf, String kind, String name) {
        return byName(loader.stream().map(ServiceLoader.Provider::get).toList(), nameOf, kind, name);
    }

    /** The provider among {@code all} whose name is {@code name}; fails as {@link #byName(ServiceLoader, Function, String, String)} does. */
    public static <T> T byName(List<T> all, Function<? super T, String> nameOf, String kind, String name) {
        List<T> named = all.stream().filter(p -> nameOf.apply(p).equals(name)).toList();
        if (named.size() > 1) {
            throw new IllegalStateException(kind + "s " + named.stream().map(p -> p.getClass().getName())
                    .collect(Collectors.joining(", ")) + " all claim the name '" + name + "'");
        }
        return named.stream().findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no " + kind + " named '" + name + "'; available: " + names(all, nameOf)));
    }

    /** The sorted names of {@code providers}, comma-separated, for messages and help texts. */
    public static <T> String names(List<T> providers, Function<? super T, String> nameOf) {
        return providers.stream().map(nameOf).sorted().distinct().collect(Collectors.joining(", "));
    }
}
