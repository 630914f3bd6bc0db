package io.cdccamel.connect;

import io.cdccamel.base.Published;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Progress of Debezium's initial snapshot, from what {@code StreamingWatch} reads of Debezium's
 * JMX metrics: rows done per table against an estimated total, rows/s, ETA; then when streaming
 * began. One log line every few seconds, gauges in {@code /observe/metrics}, and the live page's section.
 * <p>
 * Debezium refreshes its per-table {@code RowsScanned} only every 10 s (and when a table is done);
 * its {@code TotalNumberOfEventsSeen} moves with every row, so the overall figures, the rate and
 * the ETA come from that, and a snapshot of one table uses it for the table too. Plain Java.
 */
@Published
public final class SnapshotProgress {

    /** What the watch has seen of Debezium so far. */
    public enum Phase { WAITING, SNAPSHOT, STREAMING, REMOTE }

    /** Estimated rows of tables ({@code schema.table}), e.g. PostgreSQL's planner estimate. */
    public interface RowEstimator extends Function<List<String>, Map<String, Long>> {
    }

    private static final long RATE_WINDOW_MS = 5_000;

    private volatile Phase phase = Phase.WAITING;
    private volatile RowEstimator estimator = tables -> Map.of();
    private final Map<String, Long> estimates = new ConcurrentHashMap<>();
    private final Map<String, Long> rows = new ConcurrentHashMap<>();
    private volatile long done;
    private volatile long total;
    private volatile double rate;
    private volatile long startedAt;
    private volatile long streamingSince;
    private volatile long snapshotSeconds = -1;
    private volatile int tableCount;
    private volatile int remainingTables;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private MeterRegistry registry;
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();

    public void estimateRowsWith(RowEstimator estimator) {
        this.estimator = estimator;
    }

    /** Debezium's snapshot started (or was first seen running) with these captured tables. */
    public synchronized void started(List<String> capturedTables, long nowMillis) {
        phase = Phase.SNAPSHOT;
        startedAt = nowMillis;
        try {
            estimates.putAll(estimator.apply(capturedTables));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(SnapshotProgress.class).debug("No row estimates: {}", e.toString());
        }
        for (String t : capturedTables) {
            rows.putIfAbsent(t, 0L);
        }
        gauges();
    }

    /**
     * @param rowsScanned Debezium's rows per table (refreshed every 10 s)
     * @param eventsSeen  Debezium's snapshot events so far, every row
     */
    public synchronized void update(Map<String, Long> rowsScanned, long eventsSeen, int tables, int remaining,
                                    long nowMillis) {
        tableCount = tables;
        remainingTables = remaining;
        rows.putAll(rowsScanned);
        long scanned = rowsScanned.values().stream().mapToLong(Long::longValue).sum();
        done = Math.max(scanned, eventsSeen);
        if (rows.size() == 1) {
            rows.replaceAll((t, n) -> Math.max(n, done));
        }
        total = 0;
        for (String t : rows.keySet()) {
            total += Math.max(estimates.getOrDefault(t, 0L), rows.get(t));
        }
        samples.addLast(new long[] {nowMillis, done});
        while (samples.size() > 2 && samples.peekFirst()[0] < nowMillis - RATE_WINDOW_MS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        rate = nowMillis > first[0] ? (done - first[1]) * 1000.0 / (nowMillis - first[0]) : 0;
        gauges();
    }

    /**
     * Debezium streams now.
     *
     * @param snapshotSeconds how long its snapshot took, or null when it resumed without one
     * @param rowsScanned     its final rows per table (empty without a snapshot)
     */
    public synchronized void streaming(long nowMillis, Long snapshotSeconds, Map<String, Long> rowsScanned) {
        phase = Phase.STREAMING;
        streamingSince = nowMillis;
        rate = 0;
        if (snapshotSeconds != null) {
            this.snapshotSeconds = snapshotSeconds;
            rows.putAll(rowsScanned);
            done = Math.max(done, rows.values().stream().mapToLong(Long::longValue).sum());
            gauges();
        }
    }

    /** Connect runs elsewhere: Debezium's metrics are out of reach. */
    public void remote(long nowMillis) {
        phase = Phase.REMOTE;
        streamingSince = nowMillis;
    }

    /** Rows the snapshot has read so far (all tables; Debezium's events seen, or its rows scanned). */
    public long done() {
        return done;
    }

    public Phase phase() {
        return phase;
    }

    /** Seconds to go at the current rate, or -1 when it cannot be told. */
    public long etaSeconds() {
        if (rate <= 0 || total <= 0 || done >= total) {
            return done >= total && total > 0 ? 0 : -1;
        }
        return Math.round((total - done) / rate);
    }

    /** The log line: {@code Snapshot: 412,000 of ~1,000,000 rows (41%), 18,200 rows/s, ETA 32 s; by table: ...}. */
    public synchronized String line() {
        StringBuilder out = new StringBuilder("Snapshot: ").append(String.format("%,d", done));
        if (total > 0) {
            out.append(" of ~").append(String.format("%,d", total)).append(" rows (").append(percent(done, total)).append(')');
        } else {
            out.append(" rows");
        }
        out.append(", ").append(String.format("%,d", Math.round(rate))).append(" rows/s");
        long eta = etaSeconds();
        out.append(", ETA ").append(eta < 0 ? "unknown" : eta + " s");
        out.append(", ").append(remainingTables).append(" of ").append(tableCount).append(" table(s) to go");
        List<String> perTable = new ArrayList<>();
        new TreeMap<>(rows).forEach((t, n) -> {
            Long est = estimates.get(t);
            perTable.add(t + " " + String.format("%,d", n) + (est == null || est <= 0 ? ""
                    : "/~" + String.format("%,d", Math.max(est, n)) + " " + percent(n, Math.max(est, n))));
        });
        return out.append("; ").append(String.join(", ", perTable)).toString();
    }

    private static String percent(long n, long of) {
        return of <= 0 ? "?" : Math.min(100, Math.round(n * 100.0 / of)) + "%";
    }

    /** What the live page shows. */
    public synchronized Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("phase", phase.name().toLowerCase(Locale.ROOT));
        view.put("startedAt", startedAt);
        view.put("streamingSince", streamingSince);
        view.put("snapshotSeconds", snapshotSeconds);
        view.put("done", done);
        view.put("total", total);
        view.put("rate", Math.round(rate));
        view.put("eta", etaSeconds());
        List<Map<String, Object>> tables = new ArrayList<>();
        new TreeMap<>(rows).forEach((t, n) -> {
            Map<String, Object> tv = new LinkedHashMap<>();
            tv.put("table", t);
            tv.put("rows", n);
            Long est = estimates.get(t);
            tv.put("estimate", est == null ? null : Math.max(est, n));
            tables.add(tv);
        });
        view.put("tables", tables);
        return view;
    }

    /** Gauges {@code cdc.snapshot.rows}, {@code cdc.snapshot.rows.estimated} per table, rate and ETA. */
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("cdc.snapshot.rows.per.second", this, p -> p.rate)
                .description("Debezium's snapshot rate, over the last 5 s").register(registry);
        Gauge.builder("cdc.snapshot.eta.seconds", this, SnapshotProgress::etaSeconds)
                .description("Seconds the snapshot still needs at its current rate (-1: unknown)").register(registry);
        Gauge.builder("cdc.snapshot.running", this, p -> p.phase == Phase.SNAPSHOT ? 1 : 0)
                .description("1 while Debezium takes its initial snapshot").register(registry);
        gauges();
    }

    private void gauges() {
        if (registry == null) {
            return;
        }
        for (String table : rows.keySet()) {
            if (gauged.add(table)) {
                Gauge.builder("cdc.snapshot.rows", rows, r -> r.getOrDefault(table, 0L)).tags(Tags.of("table", table))
                        .description("Rows of the table that Debezium's snapshot read").register(registry);
                Gauge.builder("cdc.snapshot.rows.estimated", estimates, r -> r.getOrDefault(table, -1L))
                        .tags(Tags.of("table", table))
                        .description("Estimated rows of the table (PostgreSQL's planner)").register(registry);
            }
        }
    }
}
