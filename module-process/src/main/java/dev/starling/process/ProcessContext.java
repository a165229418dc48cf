package dev.starling.process;

import java.util.Optional;

/**
 * What a {@link Process} may learn about the worker it runs in. Implemented by the server;
 * immutable, safe to keep and to share between threads.
 */
public interface ProcessContext {

    /**
     * A setting by its command-line flag name without the dashes, e.g. {@code "max-header-size"}
     * or {@code "handler"}; empty when the operator did not give it, so that the process
     * applies its own documented default.
     */
    Optional<String> setting(String name);

    /**
     * The module layer plugins are found in, for {@code ServiceLoader.load(layer, type)};
     * the boot layer unless plugins were loaded into a layer of their own.
     */
    ModuleLayer layer();

    /** The product name and version for {@code Server} headers and pages, e.g. {@code "Starling/0.1.0"}. */
    String serverName();

    /**
     * A setting as an int within bounds.
     *
     * @throws IllegalArgumentException naming the flag, when the value is not an integer or
     *         out of bounds
     */
    default int intSetting(String name, int defaultValue, int min, int max) {
        Optional<String> raw = setting(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, was '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
