package io.cdccamel.route;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.Map;

/**
 * {@code partition-assignment} in {@code /observe/health}: DOWN while partitions assigned to the
 * print route's consumer are not read because their Kafka cluster and topic ids could not be checked
 * against the output's journal ({@link RevokeCommits}, which tries again), with the reason.
 */
public class AssignmentCheckHealthCheck extends ReadinessCheck {

    private final RevokeCommits revokeCommits;

    public AssignmentCheckHealthCheck(RevokeCommits revokeCommits) {
        super("partition-assignment");
        this.revokeCommits = revokeCommits;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String failure = revokeCommits.failure();
        builder.detail("failed.checks", revokeCommits.failedChecks());
        if (failure == null) {
            builder.up();
            return;
        }
        builder.message(failure);
        builder.down();
    }
}
