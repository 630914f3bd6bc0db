package io.cdccamel.connect;

/** Decides which of several app instances registers a missing connector. */
@FunctionalInterface
public interface RegistrationLock {

    /** @return true when this instance may create the connector now */
    boolean claim();
}
