package io.cdccamel.capture;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.List;
import java.util.Map;

/**
 * {@code snapshots} in {@code /observe/health}: DOWN while a captured table has no finished
 * snapshot because its job failed (Debezium's status, a stall), naming each with its reason; UP
 * with the requested and running ones named otherwise.
 */
public class SnapshotJobsHealthCheck extends ReadinessCheck {

    private final CaptureSync sync;

    public SnapshotJobsHealthCheck(CaptureSync sync) {
        super("snapshots");
        this.sync = sync;
    }


    @Override
    @SuppressWarnings("unchecked")
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            List<Map<String, Object>> tables = (List<Map<String, Object>>) sync.tablesView().get("tables");
            List<String> failed = tables.stream().filter(t -> SnapshotJobs.FAILED.equals(t.get("state")))
                    .map(t -> t.get("table") + ": " + t.get("reason")).toList();
            List<String> busy = tables.stream().filter(t -> SnapshotJobs.REQUESTED.equals(t.get("state"))
                    || SnapshotJobs.RUNNING.equals(t.get("state"))).map(t -> (String) t.get("table")).toList();
            if (!busy.isEmpty()) {
                builder.detail("snapshots-pending", String.join(",", busy));
            }
            if (failed.isEmpty()) {
                builder.up();
                return;
            }
            builder.detail("snapshots-failed", String.join(" | ", failed));
            builder.message(failed.size() + " captured table(s) have no finished snapshot: " + String.join(" | ", failed));
            builder.down();
        } catch (Exception e) {
            builder.message("Cannot read the snapshot jobs: " + Preflight.firstLine(e.getMessage()));
            builder.unknown();
        }
    }
}
