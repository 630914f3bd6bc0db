package io.cdccamel.capture;

import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.ConsumerSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@link CaptureListener} prepared before Camel built the routes (the sync with the source
 * database, the slot's watch), bound for the API, the live view and the health checks. Started
 * without that listener (route tests), it binds nothing.
 */
@Configuration
public class CaptureConfiguration implements CamelConfiguration {

    private final CaptureListener capture;

    public CaptureConfiguration(CaptureListener capture) {
        this.capture = capture;
    }

    @BindToRegistry(CaptureListener.BEAN)
    public CaptureSync captureSync() {
        return capture.sync();
    }

    @BindToRegistry(CaptureListener.SLOT_BEAN)
    public SlotWatch slotWatch() {
        return capture.slotWatch();
    }

    /**
     * Reads Debezium's snapshot notifications into the snapshot jobs (a group of the app's own:
     * {@code <cdc.consumer.group>.snapshot-notifications}).
     */
    @BindToRegistry("snapshotNotifications")
    public SnapshotNotifications snapshotNotifications(KafkaAdmins admins, ConsumerSettings consumer) {
        CaptureSync sync = capture.sync();
        if (sync == null) {
            return null;
        }
        return new SnapshotNotifications(admins, sync.notificationTopic(), consumer.group() + ".snapshot-notifications",
                sync.jobs());
    }

    /** What the live page shows of each captured table's snapshot job. */
    @BindToRegistry("tablesView")
    public Supplier<Map<String, Object>> tablesView() {
        CaptureSync sync = capture.sync();
        if (sync == null) {
            return null;
        }
        return () -> {
            try {
                return sync.tablesView();
            } catch (SQLException e) {
                return Map.of("error", "Cannot read the snapshot jobs: " + Preflight.firstLine(e.getMessage()));
            }
        };
    }

    /** What the live page shows of the slot, read with its other parts (no package of the page's here). */
    @BindToRegistry("slotView")
    public Supplier<Map<String, Object>> slotView() {
        SlotWatch slot = capture.slotWatch();
        if (slot == null) {
            return null;
        }
        return () -> {
            try {
                slot.read();
            } catch (SQLException e) {
                LoggerFactory.getLogger("io.cdccamel.capture").debug("Could not read the slot: {}", e.getMessage());
            }
            return slot.view();
        };
    }

    /** The slot's and the replica identity's health, and the snapshot API. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        CaptureSync sync = capture.sync();
        if (capture.slotWatch() != null) {
            HealthCheckRegistry.get(camel).register(capture.slotWatch());
        }
        if (sync != null) {
            camel.addRoutes(new SnapshotApiRoutes(sync));
            HealthCheckRegistry.get(camel).register(new SnapshotJobsHealthCheck(sync));
            SnapshotNotifications notifications = camel.getRegistry().lookupByNameAndType("snapshotNotifications",
                    SnapshotNotifications.class);
            if (notifications != null) {
                camel.addService(notifications, true, true);
            }
            // cdc_snapshot_failed_tables in /observe/metrics, once Camel binds the Prometheus registry
            camel.addStartupListener((context, alreadyStarted) -> {
                MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
                if (registry != null) {
                    Gauge.builder("cdc.snapshot.failed.tables", sync, CaptureSync::failedTables)
                            .description("Captured tables whose snapshot failed (GET /api/tables gives each one's reason)")
                            .register(registry);
                }
            });
            if (!sync.setsReplicaIdentityFull()) {
                HealthCheckRegistry.get(camel).register(new ReplicaIdentityHealthCheck(sync));
            }
        }
    }
}
