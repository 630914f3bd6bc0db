package io.cdccamel.capture;

import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.settings.CaptureSettings;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * While the app runs: every {@code cdc.capture.refresh.ms} the sync again (0: never), which picks
 * up tables created later; whatever that setting, every second the pending snapshot jobs' signals
 * (once the connector runs this app's config), every 5 s the stalled jobs. Started once Camel runs.
 */
final class CaptureRefresher {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");

    private final CaptureSync sync;
    private final CaptureSettings capture;
    private final ConnectorDefinition definition;
    private final ConnectorRegistration registration;
    private final StreamingWatch watch;
    private volatile ScheduledExecutorService refresher;

    CaptureRefresher(CaptureSync sync, CaptureSettings capture, ConnectorDefinition definition,
                     ConnectorRegistration registration, StreamingWatch watch) {
        this.sync = sync;
        this.capture = capture;
        this.definition = definition;
        this.registration = registration;
        this.watch = watch;
    }

    synchronized void start(CamelContext context) {
        if (refresher != null) {
            return;
        }
        refresher = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "capture-refresh");
        long every = capture.refreshMillis();
        if (every > 0) {
            refresher.scheduleWithFixedDelay(() -> {
                try {
                    sync.sync();
                    deriveColumns();
                } catch (Exception e) {
                    LOG.warn("Could not bring the publication in line with the connector file: {}", Preflight.firstLine(e.getMessage()));
                }
            }, every, every, TimeUnit.MILLISECONDS);
        } else {
            LOG.info("{}=0: tables created later are not looked for while the app runs (a start looks for them)",
                    CaptureSettings.REFRESH_MS);
        }
        // with the generated columns of the tables to read left out already
        refresher.scheduleWithFixedDelay(() -> sync.snapshotPending(registration::runsCurrentConfig, watch::followSnapshot),
                1, 1, TimeUnit.SECONDS);
        long stallMillis = capture.snapshotStallMillis();
        refresher.scheduleWithFixedDelay(() -> {
            try {
                List<SnapshotJobs.Job> stalled = sync.jobs().failStalled(stallMillis);
                SnapshotJobs.logFailed(stalled);
                sync.tablesView(); // the failed tables' count, for the metric and the health check
            } catch (Exception e) {
                LOG.debug("Could not read the snapshot jobs: {}", e.toString());
            }
        }, 1, 5, TimeUnit.SECONDS);
    }

    synchronized void stop(CamelContext context) {
        ScheduledExecutorService r = refresher;
        refresher = null;
        if (r != null) {
            context.getExecutorServiceManager().shutdownNow(r);
        }
    }

    /**
     * Generated columns appear while the app runs (a captured table created, {@code ALTER TABLE ...
     * ADD COLUMN ... GENERATED}): the connector's column list follows, so that Debezium's snapshots
     * leave them out as the stream does ({@link CaptureScope#generatedColumnSettings}).
     */
    private void deriveColumns() {
        Map<String, String> columns = new TreeMap<>();
        sync.derivedConnectorSettings().forEach((key, value) -> {
            if (key.startsWith("column.")) {
                columns.put(key, value);
            }
        });
        if (definition.derive(columns)) {
            LOG.info("Generated columns of the captured tables changed: connector {} leaves them out of snapshots as the "
                    + "stream does ({}); applying it with PUT (its task restarts from its committed offsets)", definition.name(),
                    columns.keySet());
        }
    }
}
