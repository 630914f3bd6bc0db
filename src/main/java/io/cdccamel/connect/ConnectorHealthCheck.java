package io.cdccamel.connect;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.Map;

/**
 * Readiness in {@code /observe/health}: UP once the connector and all its tasks run, and while it is
 * paused on purpose (detail {@code paused}: who paused it), which is no failure of the app.
 */
public class ConnectorHealthCheck extends ReadinessCheck {

    private final ConnectorRegistration registration;

    public ConnectorHealthCheck(ConnectorRegistration registration) {
        super("connector");
        this.registration = registration;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("state", registration.state().name());
        if (registration.lastMessage() != null) {
            builder.message(registration.lastMessage());
        }
        if (registration.isPaused()) {
            PauseNote note = registration.pauseNote();
            builder.detail("paused", note == null ? "outside this app" : note.describe());
        }
        if (registration.isHealthy() || registration.isPaused()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
