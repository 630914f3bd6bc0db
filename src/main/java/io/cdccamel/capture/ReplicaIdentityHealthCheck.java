package io.cdccamel.capture;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.List;
import java.util.Map;

/**
 * Where the app does not set REPLICA IDENTITY FULL itself: {@code replica-identity} in
 * {@code /observe/health} names the captured tables whose updates may print Debezium's placeholder
 * {@code __debezium_unavailable_value} for an unchanged large value, with the fix. It stays UP:
 * the pipeline works, the events are less complete.
 */
public class ReplicaIdentityHealthCheck extends ReadinessCheck {

    private final CaptureSync sync;

    public ReplicaIdentityHealthCheck(CaptureSync sync) {
        super("replica-identity");
        this.sync = sync;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            List<String> tables = sync.withoutFullReplicaIdentity();
            if (!tables.isEmpty()) {
                builder.detail("tables-without-full-replica-identity", String.join(",", tables));
                builder.message("Updates of " + tables + " may print \"__debezium_unavailable_value\" for an unchanged "
                        + "large value; fix: ALTER TABLE <table> REPLICA IDENTITY FULL; for each");
            }
            builder.up();
        } catch (Exception e) {
            builder.message("Cannot read the captured tables' replica identity: " + Preflight.firstLine(e.getMessage()));
            builder.unknown();
        }
    }
}
