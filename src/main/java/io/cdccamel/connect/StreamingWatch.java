package io.cdccamel.connect;

import io.cdccamel.base.Published;
import io.micrometer.core.instrument.binder.MeterBinder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * Once the connector runs, tells what Debezium does: resumed from its stored position, or
 * snapshotting (with progress), then streaming; and only then the banner says "streaming".
 * <p>
 * Debezium's own metrics (JMX, {@code debezium.postgres:type=connector-metrics}) are read when
 * Connect runs in this JVM (embedded mode). Against an external Connect worker they are out of
 * reach: the banner then says the connector runs, and the log gives the position Connect holds.
 */
@Published
public final class StreamingWatch implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.register-connector");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long PROGRESS_EVERY_MS = 5_000;

    /** What the banner is told: {@code streaming} or {@code running}. */
    public static final String STREAMING = "streaming";
    public static final String RUNNING = "running";
    /** The registry name of the watch, for the live view and the metrics. */
    public static final String BEAN = "streamingWatch";

    private final ConnectApi connect;
    private final String connector;
    private final String topicPrefix;
    private final boolean inThisJvm;
    private final ScheduledExecutorService executor;
    private final Consumer<String> banner;
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private volatile ScheduledFuture<?> task;
    private volatile boolean done;
    private boolean snapshotSeen;
    private long nextProgressAt;
    private final SnapshotProgress progress = new SnapshotProgress();

    /**
     * @param inThisJvm Connect runs in this JVM (embedded mode): Debezium's metrics can be read
     * @param banner    prints the banner with the state it is given
     */
    public StreamingWatch(ConnectApi connect, ConnectorDefinition definition, boolean inThisJvm,
                          ScheduledExecutorService executor, Consumer<String> banner) {
        this.connect = connect.withResponseTimeout(Duration.ofSeconds(5));
        this.connector = definition.name();
        this.topicPrefix = definition.config("topic.prefix");
        this.inThisJvm = inThisJvm;
        this.executor = executor;
        this.banner = banner;
    }

    /** Called once, when the connector and its task first run. */
    public void start() {
        if (!inThisJvm) {
            String position = storedPosition();
            LOG.info("Connector {} runs on an external Connect worker; the position Connect holds for it: {}", connector,
                    position == null ? "none yet (a new connector snapshots first)" : position);
            progress.remote(System.currentTimeMillis());
            banner.accept(RUNNING);
            return;
        }
        task = executor.scheduleWithFixedDelay(this::check, 0, 250, TimeUnit.MILLISECONDS);
    }

    /**
     * A snapshot asked for while Debezium streams (tables that became captured): followed with the
     * first snapshot's progress lines, metrics and page, and one line when it is done; no banner.
     */
    public synchronized void followSnapshot(Collection<String> tables) {
        if (!inThisJvm) {
            return;
        }
        try {
            rowsBefore = rowsScanned();
        } catch (Exception e) {
            rowsBefore = Map.of();
        }
        laterTables = List.copyOf(tables);
        laterSeen = false;
        laterSince = System.currentTimeMillis();
        ScheduledFuture<?> previous = laterTask;
        if (previous != null) {
            previous.cancel(false);
        }
        laterTask = executor.scheduleWithFixedDelay(this::checkLater, 250, 250, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether a snapshot runs now: Debezium's metrics where Connect runs in this JVM, one asked for
     * and not seen done, or, on any worker, an incremental snapshot in the position Connect stores
     * for the connector ({@code incremental_snapshot_collections}).
     */
    public boolean isSnapshotRunning() {
        ScheduledFuture<?> later = laterTask;
        if (later != null && !later.isDone()) {
            return true;
        }
        String position = storedPosition();
        if (position != null && position.contains("incremental_snapshot_collections")) {
            try {
                JsonNode collections = MAPPER.readTree(position).path("incremental_snapshot_collections");
                if (!collections.isMissingNode() && !collections.isNull() && !collections.asText().isEmpty()
                        && !"[]".equals(collections.asText())) {
                    return true;
                }
            } catch (Exception e) {
                LOG.debug("Could not read the stored position: {}", e.toString());
            }
        }
        try {
            return inThisJvm && Boolean.TRUE.equals(attribute("snapshot", "SnapshotRunning"));
        } catch (Exception e) {
            return false;
        }
    }

    private volatile Map<String, Long> rowsBefore = Map.of();
    private volatile List<String> laterTables = List.of();
    private volatile boolean laterSeen;
    private volatile long laterSince;
    private volatile ScheduledFuture<?> laterTask;

    private void checkLater() {
        try {
            long now = System.currentTimeMillis();
            Map<String, Long> rows = rowsScanned();
            boolean running = Boolean.TRUE.equals(attribute("snapshot", "SnapshotRunning"));
            if (running) {
                if (!laterSeen) {
                    laterSeen = true;
                    nextProgressAt = now + PROGRESS_EVERY_MS;
                    progress.started(laterTables, now);
                    LOG.info("Debezium is snapshotting {} newly captured table(s) {}; streaming goes on", laterTables.size(),
                            laterTables);
                }
                Object seen = attribute("snapshot", "TotalNumberOfEventsSeen");
                progress.update(rows, seen instanceof Number n ? n.longValue() : 0, laterTables.size(),
                        number(attribute("snapshot", "RemainingTableCount")), now);
                if (now >= nextProgressAt) {
                    nextProgressAt = now + PROGRESS_EVERY_MS;
                    LOG.info("{}", progress.line());
                }
                return;
            }
            boolean moved = !rows.equals(rowsBefore);
            if ((laterSeen || moved) && Boolean.TRUE.equals(attribute("snapshot", "SnapshotCompleted"))) {
                Map<String, Long> those = new TreeMap<>();
                rows.forEach((table, count) -> {
                    if (!count.equals(rowsBefore.get(table))) {
                        those.put(table, count);
                    }
                });
                progress.streaming(now, (now - laterSince) / 1000, rows);
                LOG.info("Debezium's snapshot of the newly captured tables completed in {} s ({} rows: {}); it streams them now",
                        (now - laterSince) / 1000, String.format("%,d", those.values().stream().mapToLong(Long::longValue).sum()),
                        those);
                laterTask.cancel(false);
            } else if (now - laterSince > TimeUnit.MINUTES.toMillis(10) && !laterSeen) {
                laterTask.cancel(false); // never started: Debezium logs why (a table it cannot read, say)
            }
        } catch (Exception e) {
            LOG.debug("Debezium's metrics are not readable yet: {}", e.toString());
        }
    }

    private void check() {
        if (done) {
            return;
        }
        try {
            Object running = attribute("snapshot", "SnapshotRunning");
            Object connected = attribute("streaming", "Connected");
            if (Boolean.TRUE.equals(running)) {
                snapshotProgress();
                return;
            }
            if (!Boolean.TRUE.equals(connected)) {
                return;
            }
            boolean completed = Boolean.TRUE.equals(attribute("snapshot", "SnapshotCompleted"));
            progress.streaming(System.currentTimeMillis(), completed
                    ? ((Number) attribute("snapshot", "SnapshotDurationInSeconds")).longValue() : null, rowsScanned());
            if (completed) {
                LOG.info("Debezium's snapshot completed in {} s ({} rows: {}); it streams changes from PostgreSQL now",
                        attribute("snapshot", "SnapshotDurationInSeconds"), rows(), rowsScanned());
            } else {
                String position = storedPosition();
                LOG.info("Debezium resumed streaming from its stored position {} (no snapshot)",
                        position == null ? "(none stored)" : position);
            }
            done = true;
            banner.accept(STREAMING);
            ScheduledFuture<?> t = task;
            if (t != null) {
                t.cancel(false);
            }
        } catch (Exception e) {
            LOG.debug("Debezium's metrics are not readable yet: {}", e.toString());
        }
    }

    private void snapshotProgress() throws Exception {
        long now = System.currentTimeMillis();
        if (!snapshotSeen) {
            snapshotSeen = true;
            nextProgressAt = now + PROGRESS_EVERY_MS;
            Object captured = attribute("snapshot", "CapturedTables");
            progress.started(captured instanceof String[] names ? List.of(names) : List.of(), now);
            LOG.info("Debezium is snapshotting {} table(s) before it streams; the banner follows when it streams",
                    attribute("snapshot", "TotalTableCount"));
        }
        Object seen = attribute("snapshot", "TotalNumberOfEventsSeen");
        progress.update(rowsScanned(), seen instanceof Number n ? n.longValue() : 0,
                number(attribute("snapshot", "TotalTableCount")), number(attribute("snapshot", "RemainingTableCount")), now);
        if (now >= nextProgressAt) {
            nextProgressAt = now + PROGRESS_EVERY_MS;
            LOG.info("{}", progress.line());
        }
    }

    /** Why Debezium's streaming lag cannot be read here, or null when it can (Connect runs in this JVM). */
    public String behindSourceUnavailable() {
        return inThisJvm ? null : "not available: Connect runs outside this app's JVM (external mode), and Debezium's "
                + "MilliSecondsBehindSource is a JMX attribute of Connect's JVM";
    }

    /**
     * Debezium's own streaming lag: {@code MilliSecondsBehindSource} of its MBean
     * {@code debezium.postgres:type=connector-metrics,context=streaming,server=<topic.prefix>}, the time
     * between the last change's commit in PostgreSQL and Debezium handling it (-1 until it streamed one).
     *
     * @throws IllegalStateException in external mode ({@link #behindSourceUnavailable()}), or when the MBean is not
     *                               registered (the connector's task does not run in this JVM now)
     */
    public long millisecondsBehindSource() throws Exception {
        if (!inThisJvm) {
            throw new IllegalStateException(behindSourceUnavailable());
        }
        Object value = attribute("streaming", "MilliSecondsBehindSource");
        if (!(value instanceof Number n)) {
            throw new IllegalStateException("Debezium's MBean debezium.postgres:type=connector-metrics,context=streaming,"
                    + "server=" + topicPrefix + " is not registered: the connector's task does not stream in this JVM now");
        }
        return n.longValue();
    }

    /**
     * The snapshot's gauges ({@link SnapshotProgress#bindTo}) and gauge
     * {@code cdc.debezium.milliseconds.behind.source} (embedded mode only: in external mode it is not
     * exported rather than invented); NaN while Debezium's MBean cannot be read.
     */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        progress.bindTo(registry);
        if (!inThisJvm) {
            LOG.info("Debezium's MilliSecondsBehindSource is not in /observe/metrics: Connect runs outside this JVM");
            return;
        }
        io.micrometer.core.instrument.Gauge.builder("cdc.debezium.milliseconds.behind.source", this, w -> {
            try {
                return w.millisecondsBehindSource();
            } catch (Exception e) {
                return Double.NaN;
            }
        }).description("Debezium's MilliSecondsBehindSource (JMX, streaming): from a change's commit in PostgreSQL to "
                + "Debezium handling it; -1 before the first streamed change, NaN while the MBean cannot be read")
                .tag("connector", connector).register(registry);
    }

    /** Debezium's snapshot as the live view and {@code /observe/metrics} show it. */
    public SnapshotProgress progress() {
        return progress;
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    private long rows() throws Exception {
        return rowsScanned().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Rows scanned per table: a {@code Map<String, Long>} that JMX hands over as tabular data. */
    private Map<String, Long> rowsScanned() throws Exception {
        Map<String, Long> rows = new TreeMap<>();
        if (attribute("snapshot", "RowsScanned") instanceof TabularData table) {
            for (Object row : table.values()) {
                CompositeData entry = (CompositeData) row;
                rows.put(String.valueOf(entry.get("key")), ((Number) entry.get("value")).longValue());
            }
        }
        return rows;
    }

    private Object attribute(String context, String name) throws Exception {
        Set<ObjectName> names = mbeans.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context="
                + context + ",server=" + topicPrefix + ",*"), null);
        if (names.isEmpty()) {
            return null;
        }
        return mbeans.getAttribute(names.iterator().next(), name);
    }

    /** The source offset Connect stores for the connector ({@code GET /connectors/<name>/offsets}), or null. */
    private String storedPosition() {
        try {
            ConnectAnswer r = connect.offsets();
            if (!r.is(200)) {
                return null;
            }
            JsonNode offsets = MAPPER.readTree(r.body()).path("offsets");
            return offsets.isEmpty() ? null : offsets.get(0).path("offset").toString();
        } catch (Exception e) {
            LOG.debug("Could not read the connector's offsets: {}", e.toString());
            return null;
        }
    }
}
