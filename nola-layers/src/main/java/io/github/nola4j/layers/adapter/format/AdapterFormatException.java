package io.github.nola4j.layers.adapter.format;

/**
 * The bytes are not a valid adapter file: wrong magic, unsupported format version, truncated,
 * checksum mismatch, declared lengths that do not fit the file, malformed configuration JSON,
 * or non-finite values.
 */
public class AdapterFormatException extends AdapterException {

    public AdapterFormatException(String message) {
        super(message);
    }

    public AdapterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
