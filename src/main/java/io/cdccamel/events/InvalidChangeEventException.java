package io.cdccamel.events;

/** A record whose value is not a Debezium change event; the message says why, for the dead-letter log. */
public class InvalidChangeEventException extends RuntimeException {

    public InvalidChangeEventException(String reason) {
        super(reason);
    }

    public InvalidChangeEventException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
