package io.github.nola4j.samples;

/** A bad command line: the message says which argument, what is wrong and what to use instead. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
