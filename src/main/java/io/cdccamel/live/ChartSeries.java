package io.cdccamel.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The live page's charts of the last hour: every {@code cdc.live.charts.sample.ms} one sample of
 * entries printed per second per topic (route print-change-events), the print route's consumer lag
 * (records), Debezium's {@code MilliSecondsBehindSource}, the replication slot's retained WAL and the
 * snapshot's rows, kept in a {@link SeriesRing} (an hour, bounded) and sent to the pages over the
 * live view's server-sent events. A series that cannot be read leaves a gap on its chart, a reason
 * on the page, a WARN line when it starts failing and {@code cdc_charts_read_failures_total{series}};
 * one that does not exist here (Debezium's lag in external mode) says so instead of showing a number.
 * The consumer lag per partition is also a gauge, {@code cdc_consumer_lag_records}.
 */
final class ChartSeries {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.live-view");

    /** A sample's mark that a series failed to be read then ({@code failed <series>}: 1): the page shades it. */
    static final String FAILED = "failed ";
    /** Series names: {@code events <topic>} per topic, and one each for the others. */
    static final String EVENTS = "events";
    static final String LAG = "lag";
    static final String BEHIND = "behind";
    static final String WAL = "wal";
    static final String SNAPSHOT = "snapshot";
    static final List<String> KINDS = List.of(EVENTS, LAG, BEHIND, WAL, SNAPSHOT);
    /** Topics charted one by one; the rest are summed into {@value #OTHER_TOPICS} (the memory stays bounded). */
    static final int MAX_TOPICS = 40;
    static final String OTHER_TOPICS = "(other topics)";
    /** The uPlot files the page loads, from the webjar on the class path. */
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final SeriesRing ring;
    private final long everyMillis;
    private final String group;
    // the sources, set once the registry holds the other features' beans; null: not in this app
    private volatile Supplier<Map<String, Long>> printed;
    private volatile Callable<Map<String, Object>> lag;
    private volatile Callable<Long> behind;
    private volatile String behindUnavailable;
    private volatile Callable<Long> wal;
    private volatile Callable<Long> snapshotRows;
    private volatile String snapshotUnavailable;

    /** Why a series was not read at the last sample (a failure); cleared once it is read again. */
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    /** Why a series has no value although nothing failed (not available here, nothing yet). */
    private final Map<String, String> notes = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Long> lastCounts = new TreeMap<>();
    private long lastTime;
    /** Per partition ({@code topic/partition}), the last lag read; NaN after a failed read. */
    private final Map<String, Double> partitionLag = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile long lastPushed;

    ChartSeries(long windowMillis, long everyMillis, String group) {
        this.ring = new SeriesRing(windowMillis, everyMillis);
        this.everyMillis = everyMillis;
        this.group = group;
    }

    void printedFrom(Supplier<Map<String, Long>> printed) {
        this.printed = printed;
    }

    void lagFrom(Callable<Map<String, Object>> lag) {
        this.lag = lag;
    }

    /**
     * @param behind      Debezium's MilliSecondsBehindSource, or null before it streams
     * @param unavailable why Debezium's lag cannot be read in this app, or null when {@code behind} reads it
     */
    void behindFrom(Callable<Long> behind, String unavailable) {
        this.behind = behind;
        this.behindUnavailable = unavailable;
    }

    void walFrom(Callable<Long> wal) {
        this.wal = wal;
    }

    void snapshotFrom(Callable<Long> rows, String unavailable) {
        this.snapshotRows = rows;
        this.snapshotUnavailable = unavailable;
    }

    /** The failure counters and the lag gauges in {@code /observe/metrics}. */
    void bindTo(MeterRegistry registry) {
        for (String kind : KINDS) {
            failures.put(kind, Counter.builder("cdc.charts.read.failures").tag("series", kind)
                    .description("Samples of the live page's charts whose series could not be read (a gap on the chart)")
                    .register(registry));
        }
        this.registry = registry;
        partitionLag.keySet().forEach(this::lagGauge);
    }

    private void lagGauge(String partition) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        int slash = partition.lastIndexOf('/');
        Gauge.builder("cdc.consumer.lag.records", partitionLag, m -> m.getOrDefault(partition, Double.NaN))
                .description("Records of the partition the print route's consumer group has not committed yet (Admin API: "
                        + "end offset read_committed minus committed offset, less transaction markers where known); "
                        + "NaN after a failed read")
                .tags("group", group, "topic", partition.substring(0, slash), "partition", partition.substring(slash + 1))
                .register(r);
    }

    /** One sample of every series (the sampling timer). */
    synchronized void sample(long now) {
        Map<String, Double> values = new LinkedHashMap<>();
        sampleEvents(now, values);
        sampleLag(values);
        read(BEHIND, behind, behindUnavailable, values, v -> {
            if (v == null) {
                notes.put(BEHIND, "Debezium does not stream yet");
                return null;
            }
            if (v < 0) {
                notes.put(BEHIND, "Debezium has streamed no change yet (MilliSecondsBehindSource -1)");
                return null;
            }
            notes.remove(BEHIND);
            return v.doubleValue();
        });
        read(WAL, wal, wal == null ? "no replication slot is watched: the app does not capture its own database" : null,
                values, v -> {
                    if (v < 0) {
                        notes.put(WAL, "the replication slot does not exist yet, or holds no WAL");
                        return null;
                    }
                    notes.remove(WAL);
                    return v.doubleValue();
                });
        read(SNAPSHOT, snapshotRows, snapshotUnavailable, values, Long::doubleValue);
        ring.add(now, values);
        lastTime = now;
    }

    private void sampleEvents(long now, Map<String, Double> values) {
        Supplier<Map<String, Long>> source = printed;
        if (source == null) {
            notes.put(EVENTS, "route print-change-events does not run in this app");
            return;
        }
        Map<String, Long> counts;
        try {
            counts = source.get();
        } catch (RuntimeException e) {
            failed(EVENTS, e, values);
            return;
        }
        recovered(EVENTS);
        if (lastTime > 0 && now > lastTime) {
            double seconds = (now - lastTime) / 1000.0;
            int charted = 0;
            double other = 0;
            boolean hasOther = false;
            for (Map.Entry<String, Long> c : counts.entrySet()) {
                double rate = (c.getValue() - lastCounts.getOrDefault(c.getKey(), 0L)) / seconds;
                if (charted < MAX_TOPICS) {
                    values.put(EVENTS + " " + c.getKey(), rate);
                    charted++;
                } else {
                    other += rate;
                    hasOther = true;
                }
            }
            if (hasOther) {
                values.put(EVENTS + " " + OTHER_TOPICS, other);
            }
        }
        lastCounts.clear();
        lastCounts.putAll(counts);
    }

    private void sampleLag(Map<String, Double> values) {
        Callable<Map<String, Object>> source = lag;
        if (source == null) {
            notes.put(LAG, "the live view's probe is not running");
            return;
        }
        try {
            Map<String, Object> view = source.call();
            long total = 0;
            Object partitions = view.get("partitions");
            if (partitions instanceof List<?> list) {
                for (Object p : list) {
                    Map<?, ?> pv = (Map<?, ?>) p;
                    String key = pv.get("topic") + "/" + pv.get("partition");
                    long records = ((Number) pv.get("records")).longValue();
                    total += records;
                    if (partitionLag.put(key, (double) records) == null) {
                        lagGauge(key);
                    }
                }
            }
            values.put(LAG, (double) total);
            recovered(LAG);
        } catch (Exception e) {
            partitionLag.replaceAll((k, v) -> Double.NaN);
            failed(LAG, e, values);
        }
    }

    private interface ToValue {
        Double apply(Long value);
    }

    private void read(String series, Callable<Long> source, String unavailable, Map<String, Double> values, ToValue toValue) {
        if (unavailable != null || source == null) {
            notes.put(series, unavailable == null ? "not read in this app" : unavailable);
            return;
        }
        try {
            Double v = toValue.apply(source.call());
            if (v != null) {
                values.put(series, v);
            }
            recovered(series);
        } catch (Exception e) {
            failed(series, e, values);
        }
    }

    private void failed(String series, Exception e, Map<String, Double> values) {
        values.put(FAILED + series, 1.0);
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String reason = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        Counter counter = failures.get(series);
        if (counter != null) {
            counter.increment();
        }
        if (errors.put(series, reason) == null) {
            LOG.warn("Chart series {} could not be read: {}; its chart shows a gap (and cdc_charts_read_failures_total"
                    + "{{series=\"{}\"}} counts) until it is read again", series, reason, series);
        }
    }

    private void recovered(String series) {
        if (errors.remove(series) != null) {
            LOG.info("Chart series {} is read again", series);
        }
    }

    /**
     * What a page is sent: {@code first}, the whole last hour; afterwards, the samples taken since
     * the last message (null when there is none), which a page appends to what it has.
     */
    Map<String, Object> forPage(boolean first) {
        List<SeriesRing.Sample> samples;
        if (first) {
            samples = ring.samples();
        } else {
            long since = lastPushed;
            samples = ring.after(since);
            if (samples.isEmpty()) {
                return null;
            }
            lastPushed = samples.get(samples.size() - 1).time();
        }
        Map<String, Object> view = new LinkedHashMap<>(SeriesRing.columns(samples));
        view.put("append", !first);
        view.put("everyMs", everyMillis);
        view.put("windowMs", ring.windowMillis());
        view.put("capacity", ring.capacity());
        view.put("errors", new TreeMap<>(errors));
        view.put("notes", new TreeMap<>(notes));
        return view;
    }

    int size() {
        return ring.size();
    }

    /** Adds the page's chart files to the router: {@code /live/charts.*} and uPlot's from its webjar. */
    static void mount(Router router) {
        String uplot = "META-INF/resources/webjars/uplot/" + webjarVersion() + "/dist/";
        Map<String, String[]> files = Map.of(
                "/live/charts.js", new String[] {"live/charts.js", "application/javascript; charset=utf-8"},
                "/live/charts.css", new String[] {"live/charts.css", "text/css; charset=utf-8"},
                "/live/uplot.min.js", new String[] {uplot + "uPlot.iife.min.js", "application/javascript; charset=utf-8"},
                "/live/uplot.min.css", new String[] {uplot + "uPlot.min.css", "text/css; charset=utf-8"});
        files.forEach((path, file) -> {
            Buffer body = resource(file[0]);
            router.get(path).handler(ctx -> ctx.response().putHeader("Content-Type", file[1])
                    .putHeader("Cache-Control", "no-cache").end(body));
        });
    }

    private static String webjarVersion() {
        try (InputStream in = ChartSeries.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException("The class path lacks uPlot's webjar (org.webjars.npm:uplot): no charts");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + WEBJAR_POM + ": " + e.getMessage(), e);
        }
    }

    private static Buffer resource(String name) {
        try (InputStream in = ChartSeries.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The jar lacks " + name);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
