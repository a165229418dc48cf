package dev.starling.process;

import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Picks a service provider by its short name, the way every Starling SPI is selected on the
 * command line. The caller makes the {@link ServiceLoader} because only a module that
 * declares {@code uses} for a service may load it.
 *
 * <p>Messages name providers as an operator can find them: the class, its module and the jar
 * or folder the module was loaded from (see {@link #describe(Class)}).
 */
public final class Providers {

    private Providers() {
    }

    /**
     * The provider of {@code loader} whose name is {@code name}.
     *
     * @param kind what the operator calls these providers, for messages, e.g. {@code "protocol"}
     * @throws IllegalArgumentException when none has that name; the message lists the names available
     * @throws IllegalStateException    when several claim it; the message names their classes and jars, sorted
     * @throws ServiceConfigurationError when a provider cannot be instantiated, as {@link #all} says
     */
    public static <T> T byName(ServiceLoader<T> loader, Function<? super T, String> nameOf, String kind, String name) {
        return byName(all(loader, kind), nameOf, kind, name);
    }

    /** The provider among {@code all} whose name is {@code name}; fails as {@link #byName(ServiceLoader, Function, String, String)} does. */
    public static <T> T byName(List<T> all, Function<? super T, String> nameOf, String kind, String name) {
        List<T> named = all.stream().filter(p -> nameOf.apply(p).equals(name)).toList();
        if (named.size() > 1) {
            throw new IllegalStateException(kind + "s " + named.stream().map(p -> describe(p.getClass())).sorted()
                    .collect(Collectors.joining(", ")) + " all claim the name '" + name + "'");
        }
        return named.stream().findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no " + kind + " named '" + name + "'; available: " + names(all, nameOf)));
    }

    /**
     * Every provider of {@code loader}, instantiated, in the loader's order (the loader's own
     * layer first, then its parents).
     *
     * @param kind what the operator calls these providers, for messages, e.g. {@code "handler"}
     * @throws ServiceConfigurationError when a provider cannot be loaded or its constructor
     *         throws; the message names the provider's class, module and jar, and the exception
     *         it threw with the place it was thrown from; the original error is the cause
     */
    public static <T> List<T> all(ServiceLoader<T> loader, String kind) {
        return loader.stream().map(provider -> instantiate(provider, kind)).toList();
    }

    private static <T> T instantiate(ServiceLoader.Provider<T> provider, String kind) {
        try {
            return provider.get();
        } catch (ServiceConfigurationError e) {
            throw new ServiceConfigurationError(kind + " " + describe(provider.type()) + " could not be created: "
                    + rootCause(e), e);
        }
    }

    /** The innermost cause of {@code e} as one line: its class, message, and where it was thrown. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StackTraceElement[] trace = root.getStackTrace();
        return root + (trace.length == 0 ? "" : " (at " + trace[0] + ")");
    }

    /**
     * A provider class as an operator finds it, e.g.
     * {@code com.example.HelloHandler (module com.example.hello, /srv/plugins/hello.jar)}:
     * the class, its module, and the jar or folder that module was loaded from when known.
     */
    public static String describe(Class<?> type) {
        Module module = type.getModule();
        if (!module.isNamed()) {
            return type.getName() + " (class path)";
        }
        String location = module.getLayer() == null ? "" : module.getLayer().configuration().findModule(module.getName())
                .map(ResolvedModule::reference)
                .flatMap(ModuleReference::location)
                .map(Providers::readable)
                .map(where -> ", " + where)
                .orElse("");
        return type.getName() + " (module " + module.getName() + location + ")";
    }

    private static String readable(URI location) {
        return "file".equals(location.getScheme()) ? Path.of(location).toString() : location.toString();
    }

    /** The sorted names of {@code providers}, comma-separated, for messages and help texts. */
    public static <T> String names(List<T> providers, Function<? super T, String> nameOf) {
        return providers.stream().map(nameOf).sorted().distinct().collect(Collectors.joining(", "));
    }
}
