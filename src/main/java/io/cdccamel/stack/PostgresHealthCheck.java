package io.cdccamel.stack;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Embedded mode: {@code postgres} in {@code /observe/health} is DOWN while the embedded PostgreSQL
 * that died under the stack is being started again (or could not be), with the reason.
 */
public class PostgresHealthCheck extends AbstractHealthCheck {

    private final LocalStack stack;

    public PostgresHealthCheck(LocalStack stack) {
        super("cdc", "postgres");
        this.stack = stack;
    }

    @Override
    public boolean isLiveness() {
        return false; // the stack restarts it itself, and stops the app if it cannot
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
