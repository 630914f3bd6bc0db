package io.cdccamel.route;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * {@code route-steps} in {@code /observe/health}: DOWN while the print route's own steps fail on
 * records not written yet (they are fetched again, then searched a part at a time: {@link StepFailures}),
 * with the steps' error; UP again once those records are written or are dead letters.
 */
public class StepFailuresHealthCheck extends AbstractHealthCheck {

    private final StepFailures steps;

    public StepFailuresHealthCheck(StepFailures steps) {
        super("cdc", "route-steps");
        this.steps = steps;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long failing = steps.failing();
        builder.detail("failed.attempts", steps.failedAttempts());
        builder.detail("dead.letters", steps.deadLetters());
        builder.detail("suspects", steps.suspects());
        if (failing == 0) {
            builder.up();
            return;
        }
        builder.message("The print route's steps fail on " + failing + " record(s) not written yet ("
                + steps.suspects() + " being searched for the one they fail on): " + steps.lastReason());
        builder.down();
    }
}
