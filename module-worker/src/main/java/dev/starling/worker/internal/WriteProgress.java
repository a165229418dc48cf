package dev.starling.worker.internal;

/**
 * A connection that says when its socket last took bytes to send, so that the worker times a
 * slow write by its progress, each system call that sent something, rather than by its
 * length: a large response to a slow client that keeps reading is never cut. Connections of
 * other transports are written in bounded pieces instead, each piece's end counting as progress.
 */
public interface WriteProgress {

    /**
     * {@link System#nanoTime()} when a write (or {@code sendfile}) last sent at least one
     * byte, or 0 before the first. Callable from any thread.
     */
    long lastSentNanos();
}
