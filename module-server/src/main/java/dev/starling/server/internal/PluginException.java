package dev.starling.server.internal;

/**
 * The plugins folder cannot be loaded as it is. The message is written for the operator: it
 * names the folder, the jar or module at fault, and what is wrong or missing.
 */
public final class PluginException extends Exception {

    private static final long serialVersionUID = 1L;

    PluginException(String message) {
        super(message);
    }

    PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
