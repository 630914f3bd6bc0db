package io.cdccamel.live;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The charts' ring buffer (bounded, oldest dropped, an hour) and the sampler's gaps, reasons and metrics. */
class ChartSeriesTest {

    private static final long HOUR = 3_600_000;

    @Test
    void shouldKeepAnHourOfSamplesAtMostAndDropTheOldestFirst() {
        SeriesRing ring = new SeriesRing(HOUR, 5_000);
        assertThat(ring.capacity()).isEqualTo(720);
        for (int i = 0; i < 1_000; i++) {
            ring.add(i * 5_000L, Map.of("lag", (double) i));
        }
        List<SeriesRing.Sample> kept = ring.samples();
        assertThat(kept).hasSize(720);
        // the newest 720: samples 280..999, oldest first
        assertThat(kept.get(0).time()).isEqualTo(280 * 5_000L);
        assertThat(kept.get(0).values()).containsEntry("lag", 280.0);
        assertThat(kept.get(719).time()).isEqualTo(999 * 5_000L);
        assertThat(kept.get(719).time() - kept.get(0).time()).isLessThan(HOUR);
    }

    @Test
    void shouldDropSamplesOlderThanAnHourEvenBelowItsCapacity() {
        SeriesRing ring = new SeriesRing(HOUR, 5_000);
        ring.add(0, Map.of("wal", 1.0));
        ring.add(1_000, Map.of("wal", 2.0));
        // the app was suspended (laptop lid) for two hours: the old samples are not the last hour
        ring.add(2 * HOUR, Map.of("wal", 3.0));
        assertThat(ring.samples()).extracting(SeriesRing.Sample::time).containsExactly(2 * HOUR);
        // exactly an hour old is out too: the window is the last hour
        ring.add(3 * HOUR, Map.of("wal", 4.0));
        assertThat(ring.samples()).extracting(SeriesRing.Sample::time).containsExactly(3 * HOUR);
    }

    @Test
    void shouldRefuseAWindowThatCannotHoldOneSample() {
        assertThatThrownBy(() -> new SeriesRing(1_000, 5_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SeriesRing(HOUR, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveColumnsWithNullWhereASeriesHasNoValue() {
        SeriesRing ring = new SeriesRing(HOUR, 1_000);
        ring.add(1_000, Map.of("lag", 5.0));
        Map<String, Double> gap = new HashMap<>();
        gap.put("lag", null);
        gap.put("wal", Double.NaN);
        ring.add(2_000, gap);
        ring.add(3_000, Map.of("lag", 7.0, "wal", 9.0));

        Map<String, Object> columns = SeriesRing.columns(ring.samples());
        assertThat(columns.get("times")).isEqualTo(List.of(1_000L, 2_000L, 3_000L));
        @SuppressWarnings("unchecked")
        Map<String, List<Double>> series = (Map<String, List<Double>>) columns.get("series");
        assertThat(series.get("lag")).containsExactly(5.0, null, 7.0);
        assertThat(series.get("wal")).containsExactly(null, null, 9.0);
        assertThat(ring.after(1_000)).extracting(SeriesRing.Sample::time).containsExactly(2_000L, 3_000L);
        assertThat(ring.after(3_000)).isEmpty();
    }

    @Test
    void shouldChartEventsPerSecondPerTopicFromThePrintedCounts() {
        ChartSeries charts = new ChartSeries(HOUR, 1_000, "g");
        Map<String, Long> printed = new HashMap<>(Map.of("db.public.a", 100L));
        charts.printedFrom(() -> Map.copyOf(printed));
        charts.sample(10_000);
        printed.put("db.public.a", 300L);
        printed.put("db.public.b", 50L); // a table whose first events came meanwhile
        charts.sample(12_000);

        Map<String, Object> page = charts.forPage(true);
        @SuppressWarnings("unchecked")
        Map<String, List<Double>> series = (Map<String, List<Double>>) page.get("series");
        assertThat(series.get("events db.public.a")).containsExactly(null, 100.0);
        assertThat(series.get("events db.public.b")).containsExactly(null, 25.0);
        assertThat(page).containsEntry("capacity", 3_600).containsEntry("append", false);
    }

    @Test
    void shouldLeaveAGapAReasonAWarningAndACountWhenASeriesCannotBeRead() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChartSeries charts = new ChartSeries(HOUR, 1_000, "g");
        charts.bindTo(registry);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong wal = new AtomicLong(4_096);
        charts.walFrom(() -> {
            if (failure.get() != null) {
                throw failure.get();
            }
            return wal.get();
        });
        charts.lagFrom(() -> Map.of("partitions", List.of(Map.of("topic", "t", "partition", 0, "records", 12L),
                Map.of("topic", "t", "partition", 1, "records", 3L))));
        charts.behindFrom(() -> 0L, "not available: Connect runs outside this app's JVM (external mode)");

        charts.sample(1_000);
        failure.set(new SQLException("connection refused"));
        charts.sample(2_000);
        charts.sample(3_000);
        Map<String, Object> failing = charts.forPage(true);
        failure.set(null);
        charts.sample(4_000);

        @SuppressWarnings("unchecked")
        Map<String, List<Double>> series = (Map<String, List<Double>>) failing.get("series");
        assertThat(series.get("wal")).containsExactly(4_096.0, null, null);
        assertThat(series.get("failed wal")).as("the failed samples, marked for the page").containsExactly(null, 1.0, 1.0);
        assertThat(series.get("lag")).containsExactly(15.0, 15.0, 15.0);
        assertThat(series).doesNotContainKey("behind");
        assertThat(failing.get("errors")).isEqualTo(Map.of("wal", "SQLException: connection refused"));
        assertThat(((Map<?, ?>) failing.get("notes")).get("behind").toString()).contains("external mode");
        assertThat(registry.get("cdc.charts.read.failures").tag("series", "wal").counter().count()).isEqualTo(2);
        assertThat(registry.get("cdc.consumer.lag.records").tags("topic", "t", "partition", "0").gauge().value())
                .isEqualTo(12.0);
        // read again: the reason goes, the gap stays where it was
        Map<String, Object> later = charts.forPage(false);
        assertThat(later.get("errors")).isEqualTo(Map.of());
        assertThat(later.get("times")).isEqualTo(List.of(1_000L, 2_000L, 3_000L, 4_000L));
        assertThat(charts.forPage(false)).as("nothing new since the last message").isNull();
    }

    @Test
    void shouldNoteRatherThanFailWhatDoesNotExistYet() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChartSeries charts = new ChartSeries(HOUR, 1_000, "g");
        charts.bindTo(registry);
        AtomicReference<Long> behind = new AtomicReference<>();
        charts.behindFrom(behind::get, null);
        charts.walFrom(() -> -1L);
        charts.sample(1_000);
        behind.set(-1L);
        charts.sample(2_000);
        behind.set(250L);
        charts.sample(3_000);

        Map<String, Object> page = charts.forPage(true);
        @SuppressWarnings("unchecked")
        Map<String, List<Double>> series = (Map<String, List<Double>>) page.get("series");
        assertThat(series.get("behind")).containsExactly(null, null, 250.0);
        assertThat(series).doesNotContainKeys("failed behind", "failed wal");
        assertThat(page.get("errors")).isEqualTo(Map.of());
        assertThat(((Map<?, ?>) page.get("notes")).get("wal").toString()).contains("does not exist yet");
        assertThat(registry.get("cdc.charts.read.failures").tag("series", "behind").counter().count()).isZero();
    }

    @Test
    void shouldMarkTheLagNotANumberInTheMetricsWhenItCannotBeRead() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChartSeries charts = new ChartSeries(HOUR, 1_000, "g");
        charts.bindTo(registry);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        charts.lagFrom(() -> {
            if (failure.get() != null) {
                throw failure.get();
            }
            return Map.of("partitions", List.of(Map.of("topic", "t", "partition", 0, "records", 12L)));
        });
        charts.sample(1_000);
        failure.set(new IllegalStateException("TimeoutException: brokers down"));
        charts.sample(2_000);
        assertThat(registry.get("cdc.consumer.lag.records").gauge().value()).isNaN();
        assertThat(registry.get("cdc.charts.read.failures").tag("series", "lag").counter().count()).isEqualTo(1);
    }
}
