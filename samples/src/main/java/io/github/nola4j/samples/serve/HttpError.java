package io.github.nola4j.samples.serve;

import java.util.Map;

/** A request the server refuses: the HTTP status, the message and any extra JSON fields of the error body. */
final class HttpError extends RuntimeException {

    private final int status;
    private final Map<String, Object> fields;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, Object> fields) {
        super(message);
        this.status = status;
        this.fields = Map.copyOf(fields);
    }

    int status() {
        return status;
    }

    Map<String, Object> fields() {
        return fields;
    }
}
