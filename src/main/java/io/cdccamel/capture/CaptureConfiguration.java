package io.cdccamel.capture;

import io.cdccamel.base.AtStart;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.ConsumerSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.settings.CaptureSettings;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;

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
        notifications = new SnapshotNotifications(admins, sync.notificationTopic(), consumer.group() + ".snapshot-notifications",
                sync.jobs());
        return notifications;
    }

    /** What the live page shows of the capture: the slot, the snapshot jobs, the retained WAL ({@link CaptureViews#NONE} without a sync). */
    @BindToRegistry
    public CaptureViews captureViews() {
        CaptureSync sync = capture.sync();
        SlotWatch slot = capture.slotWatch();
        if (sync == null || slot == null) {
            return CaptureViews.NONE;
        }
        return new CaptureViews(() -> {
            try {
                slot.read();
            } catch (SQLException e) {
                LoggerFactory.getLogger("io.cdccamel.capture").debug("Could not read the slot: {}", e.getMessage());
            }
            return slot.view();
        }, () -> {
            try {
                return sync.tablesView();
            } catch (SQLException e) {
                return Map.of("error", "Cannot read the snapshot jobs: " + Preflight.firstLine(e.getMessage()));
            }
        }, () -> {
            try {
                return slot.read().retainedBytes();
            } catch (SQLException e) {
                throw new IllegalStateException(Preflight.firstLine(e.getMessage()), e);
            }
        });
    }

    /** The snapshot API ({@code POST /api/tables/{t}/snapshot}, {@code GET /api/tables}); without the sync it says so. */
    @BindToRegistry
    public SnapshotApiRoutes snapshotApiRoutes(StreamingWatch watch) {
        return new SnapshotApiRoutes(capture.sync(), watch);
    }

    /** The snapshot jobs' health: DOWN while a captured table's snapshot failed. */
    @BindToRegistry
    public SnapshotJobsHealthCheck snapshotJobsHealthCheck() {
        CaptureSync sync = capture.sync();
        return sync == null ? null : new SnapshotJobsHealthCheck(sync);
    }

    /** Where the app does not set REPLICA IDENTITY FULL itself: the tables whose updates and deletes lack the old row. */
    @BindToRegistry
    public ReplicaIdentityHealthCheck replicaIdentityHealthCheck() {
        CaptureSync sync = capture.sync();
        return sync == null || sync.setsReplicaIdentityFull() ? null : new ReplicaIdentityHealthCheck(sync);
    }

    /** {@code cdc_snapshot_failed_tables} and the slot's gauges in {@code /observe/metrics}. */
    @BindToRegistry
    public MeterBinder captureMeters() {
        CaptureSync sync = capture.sync();
        SlotWatch slot = capture.slotWatch();
        if (sync == null) {
            return null;
        }
        return registry -> {
            Gauge.builder("cdc.snapshot.failed.tables", sync, CaptureSync::failedTables)
                    .description("Captured tables whose snapshot failed (GET /api/tables gives each one's reason)")
                    .register(registry);
            if (slot != null) {
                slot.bindTo(registry);
            }
        };
    }

    /** The sync again while the app runs, the pending snapshots' signals, the stalled jobs ({@link CaptureRefresher}). */
    @BindToRegistry
    public CaptureRefresher captureRefresher(CaptureSettings captureSettings, ConnectorDefinition definition,
                                             ConnectorRegistration registration, StreamingWatch watch) {
        CaptureSync sync = capture.sync();
        refresher = sync == null ? null : new CaptureRefresher(sync, captureSettings, definition, registration, watch);
        return refresher;
    }

    // what this class bound, for configure
    private SnapshotNotifications notifications;
    private CaptureRefresher refresher;

    /** Debezium's notifications read, and the refresher started, once Camel runs. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        if (notifications != null) {
            camel.addService(notifications, true, true);
        }
        CaptureRefresher r = refresher;
        if (r != null) {
            camel.addStartupListener(AtStart.once(started -> r.start(started)));
            camel.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    r.stop(camel);
                }
            }, true);
        }
    }
}
