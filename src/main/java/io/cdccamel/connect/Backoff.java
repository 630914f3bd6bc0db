package io.cdccamel.connect;

/**
 * Pacing of route {@code register-connector} while Connect is unwell: 1 s after the first failure,
 * doubling up to {@code maxMillis}. The route's timer keeps ticking and skips ticks until the
 * pause is over; Camel's {@code BackOffTimer} would run the attempts itself, outside the route.
 */
final class Backoff {

    private final long maxMillis;
    private int failures;
    private long nextAttemptAt;

    Backoff(long maxMillis) {
        this.maxMillis = maxMillis;
    }

    synchronized boolean due() {
        return System.currentTimeMillis() >= nextAttemptAt;
    }

    synchronized void failed() {
        failures = Math.min(failures + 1, 10);
        nextAttemptAt = System.currentTimeMillis() + Math.min(maxMillis, 500L << failures);
    }

    synchronized void reset() {
        failures = 0;
        nextAttemptAt = 0;
    }
}
