package io.cdccamel.stack;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.Map;

/**
 * Embedded mode: {@code postgres} in {@code /observe/health} is DOWN while the embedded PostgreSQL
 * that died under the stack is being started again (or could not be), with the reason. Readiness
 * only: the stack restarts PostgreSQL itself, and stops the app if it cannot.
 */
public class PostgresHealthCheck extends ReadinessCheck {

    private final LocalStack stack;

    public PostgresHealthCheck(LocalStack stack) {
        super("postgres");
        this.stack = stack;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("restarts", stack.postgresRestarts());
        String down = stack.postgresDown();
        if (down == null) {
            builder.up();
        } else {
            builder.message(down);
            builder.down();
        }
    }
}
