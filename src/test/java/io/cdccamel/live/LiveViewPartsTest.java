package io.cdccamel.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.SnapshotProgress;
import io.cdccamel.events.ExactJson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The live view's plain-Java parts: event digests, lag from record times, snapshot progress. */
class LiveViewPartsTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();
    private static final EventDigest.Limits LIMITS = new EventDigest.Limits(10, 20, 3);

    @Test
    void shouldMarkOnlyTheChangedColumnsOfAnUpdate() {
        EventDigest d = EventDigest.of("postgres.debezium.product", 1, 7, 1000L, "Struct{id=1}",
                "{\"op\":\"u\",\"before\":{\"id\":1,\"name\":\"a\"},\"after\":{\"id\":1,\"name\":\"b\"},"
                        + "\"source\":{\"schema\":\"debezium\",\"table\":\"product\"}}", MAPPER, LIMITS);
        assertThat(d.table()).isEqualTo("debezium.product");
        assertThat(d.op()).isEqualTo("u");
        assertThat(d.columns()).containsExactly(new EventDigest.Column("id", "1", "1", false),
                new EventDigest.Column("name", "a", "b", true));
        assertThat(d.note()).isNull();
    }

    @Test
    void shouldCutALongValueWithANote() {
        EventDigest d = EventDigest.of("t", 0, 0, 0L, "k", "{\"op\":\"c\",\"after\":{\"name\":\"" + "x".repeat(50) + "\"}}",
                MAPPER, LIMITS);
        assertThat(d.columns().get(0).after()).hasSize(11).endsWith("\u2026");
        assertThat(d.note()).contains("1 value(s) cut to 10 characters");
    }

    @Test
    void shouldShowAnUpdateWithoutBeforeImageAsUnknownChanges() {
        EventDigest d = EventDigest.of("t", 0, 0, 0L, "k", "{\"op\":\"u\",\"before\":null,\"after\":{\"id\":1}}", MAPPER, LIMITS);
        assertThat(d.columns().get(0).changed()).isNull();
        assertThat(d.note()).contains("REPLICA IDENTITY");
    }

    @Test
    void shouldNeverThrowOnBadInput() {
        assertThat(EventDigest.of("t", 0, 0, 0L, null, "not json at all " + "y".repeat(100), MAPPER, LIMITS).op())
                .isEqualTo(EventDigest.INVALID);
        assertThat(EventDigest.of("t", 0, 0, 0L, null, "[1,2]", MAPPER, LIMITS).note()).contains("not a change event");
        assertThat(EventDigest.of("t", 0, 0, 0L, "k", null, MAPPER, LIMITS).op()).isEqualTo(EventDigest.TOMBSTONE);
        EventDigest wide = EventDigest.of("t", 0, 0, 0L, "k", "{\"op\":\"c\",\"after\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}}",
                MAPPER, LIMITS);
        assertThat(wide.columns()).hasSize(3);
        assertThat(wide.note()).contains("2 more column(s) not shown");
    }

    @Test
    void shouldCountDataRecordsNotCommitMarkersInTheLag() {
        PartitionTimes times = new PartitionTimes(4);
        // records at 10, 12, 14 (11, 13, 15 are transaction markers); the view read up to 16
        times.add(10, 1_000);
        times.add(12, 2_000);
        times.add(14, 3_000);
        times.readUpTo(16);
        assertThat(times.lag(16, 16, 10_000)).isEqualTo(new PartitionTimes.Lag(0, 0, true));
        // committed after 14's record but before its marker: nothing left to read
        assertThat(times.lag(15, 16, 10_000)).isEqualTo(new PartitionTimes.Lag(0, 0, true));
        assertThat(times.lag(11, 16, 10_000)).isEqualTo(new PartitionTimes.Lag(2, 8_000, true));
        // older than the ring: a lower bound
        times.add(16, 4_000);
        times.add(18, 5_000);
        times.readUpTo(19);
        PartitionTimes.Lag old = times.lag(5, 19, 10_000);
        assertThat(old.exact()).isFalse();
        assertThat(old.records()).isEqualTo(14);
        assertThat(old.millis()).isEqualTo(8_000);
    }

    @Test
    void shouldTellRateEtaAndPercentOfASnapshot() {
        SnapshotProgress p = new SnapshotProgress();
        p.estimateRowsWith(tables -> Map.of("debezium.big", 1_000_000L));
        p.started(List.of("debezium.big"), 0);
        p.update(Map.of(), 0, 1, 1, 0);
        p.update(Map.of("debezium.big", 100_000L), 200_000, 1, 1, 5_000);
        assertThat(p.etaSeconds()).isEqualTo(20);
        assertThat(p.line()).isEqualTo("Snapshot: 200,000 of ~1,000,000 rows (20%), 40,000 rows/s, ETA 20 s, "
                + "1 of 1 table(s) to go; debezium.big 200,000/~1,000,000 20%");
        p.streaming(60_000, 25L, Map.of("debezium.big", 1_000_000L));
        assertThat(p.view()).containsEntry("phase", "streaming").containsEntry("done", 1_000_000L)
                .containsEntry("snapshotSeconds", 25L);
    }
}
