package io.github.nola4j.layers.adapter.format;

/**
 * Common type of every failure to read, check or apply a NOLA adapter. Unchecked, so in-memory
 * operations ({@link io.github.nola4j.layers.adapter.AdapterBank#activate AdapterBank#activate}) need no {@code throws}; plain I/O failures are still
 * reported as {@link java.io.IOException}.
 *
 * <p>Whenever one of these is thrown while loading or activating, the target network has not
 * been changed: everything is validated before the first value is assigned.
 */
public class AdapterException extends RuntimeException {

    public AdapterException(String message) {
        super(message);
    }

    public AdapterException(String message, Throwable cause) {
        super(message, cause);
    }
}
