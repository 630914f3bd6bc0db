package io.cdccamel.route;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.Map;

/**
 * {@code route-steps} in {@code /observe/health}: DOWN while the print route's own steps fail on
 * records not written yet (they are fetched again, then searched a part at a time: {@link StepFailures}),
 * with the steps' error; UP again once those records are written or are dead letters.
 */
public class StepFailuresHealthCheck extends ReadinessCheck {

    private final StepFailures steps;

    public StepFailuresHealthCheck(StepFailures steps) {
        super("route-steps");
        this.steps = steps;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("failed.attempts", steps.failedAttempts());
        builder.detail("dead.letters", steps.deadLetters());
        builder.detail("suspects", steps.suspects());
        String failing = steps.failingNow();
        if (failing == null) {
            builder.up();
            return;
        }
        builder.message(failing);
        builder.down();
    }
}
