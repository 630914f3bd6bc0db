package io.cdccamel.stack;

/** The embedded stack could not start; the message is one line a user can act on. */
public class StackStartException extends RuntimeException {

    public StackStartException(String message) {
        super(message);
    }

    public StackStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
