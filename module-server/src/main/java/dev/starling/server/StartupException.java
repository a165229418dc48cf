package dev.starling.server;

/**
 * The server cannot start as configured: a port in use, an unknown provider name, a host that
 * is not local. The message is written for the operator and names the flag to change.
 */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
