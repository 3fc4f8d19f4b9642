package io.github.nola4j.samples.data;

/**
 * A data file or folder that cannot be used: the message names the path, what is wrong with it and
 * how to fix it.
 */
public class InvalidDataException extends RuntimeException {

    public InvalidDataException(String source, String problem, String fix) {
        super(source + ": " + problem + ". " + fix);
    }

    public InvalidDataException(String source, String problem, String fix, Throwable cause) {
        super(source + ": " + problem + ". " + fix, cause);
    }
}
