package io.cdccamel.base;

/** A start that cannot go on (the embedded stack, the capture, the output...): the message is one line a user can act on. */
public class StackStartException extends RuntimeException {

    public StackStartException(String message) {
        super(message);
    }

    public StackStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
