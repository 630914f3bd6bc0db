package io.cdccamel.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ResentEventsTest {

    private static final String TOPIC = "postgres.debezium.product";
    private final ObjectMapper mapper = ExactJson.newObjectMapper();
    private final ChangeEventFormatter formatter = new ChangeEventFormatter();

    @TempDir
    Path dir;

    private ChangeEvent event(long lsn, String after) throws Exception {
        return ChangeEvent.of(mapper.readTree("{\"before\":null,\"after\":" + after + ",\"op\":\"c\",\"ts_ms\":" + lsn
                + ",\"source\":{\"connector\":\"postgresql\",\"lsn\":" + lsn + ",\"txId\":7,\"ts_ms\":1}}"));
    }

    /** Whether the event is a re-send (of one written, or of one earlier in {@code batch}). */
    private static boolean isResent(ResentEvents resent, ChangeEvent event, java.util.Set<ResentEvents.Digest> batch) {
        return resent.isResent(ResentEvents.positionOf(TOPIC, event), batch, TOPIC + "-0 offset 99", event);
    }

    private static boolean isResent(ResentEvents resent, ChangeEvent event) {
        return isResent(resent, event, java.util.Set.of());
    }

    private static void written(ResentEvents resent, ChangeEvent event) {
        ResentEvents.Digest position = ResentEvents.positionOf(TOPIC, event);
        if (position != null) {
            resent.remember(java.util.List.of(position));
        }
    }

    @Test
    void shouldRecogniseAnEventAfterReadingItsPrintedCopyBack() throws Exception {
        // column order, exact numbers and characters Go escapes survive the printing
        String row = "{\"name\":\"<caf\\u00e9 & \\\"x\\\">\",\"id\":12,\"price\":10.50,\"big\":12345678901234567890123}";
        Files.writeString(dir.resolve(TOPIC + ".log"), formatter.format(TOPIC, 1, 5, event(100, row))
                + formatter.formatTombstone(TOPIC, 1, 6, "k") + formatter.format(TOPIC, 2, 0, event(101, "{\"id\":13}")));

        ResentEvents resent = ResentEvents.scan(dir, 1000, mapper);

        assertThat(resent.size()).isEqualTo(2);
        assertThat(isResent(resent, event(100, row))).isTrue();
        assertThat(isResent(resent, event(101, "{\"id\":13}"))).isTrue();
        // another lsn, another row: new events
        assertThat(isResent(resent, event(102, row))).isFalse();
        assertThat(isResent(resent, event(100, "{\"id\":12,\"name\":\"other\"}"))).isFalse();
        assertThat(resent.droppedCount()).isEqualTo(2);
    }

    @Test
    void shouldRememberAnEventOnlyOnceItIsWritten() throws Exception {
        ResentEvents resent = new ResentEvents(1000);
        ChangeEvent first = event(100, "{\"id\":1}");

        assertThat(isResent(resent, first)).isFalse();
        // not written (the write failed and the record is retried): the retry is not a re-send
        assertThat(isResent(resent, event(100, "{\"id\":1}"))).isFalse();
        // but a copy later in the same batch is
        assertThat(isResent(resent, event(100, "{\"id\":1}"), java.util.Set.of(ResentEvents.positionOf(TOPIC, first)))).isTrue();
        written(resent, first);
        assertThat(isResent(resent, event(100, "{\"id\":1}"))).isTrue();
    }

    @Test
    void shouldForgetTheOldestPositionsBeyondTheWindow() throws Exception {
        ResentEvents resent = new ResentEvents(4);
        for (int i = 0; i < 10; i++) {
            ChangeEvent e = event(1000 + i, "{\"id\":" + i + "}");
            assertThat(isResent(resent, e)).isFalse();
            written(resent, e);
        }

        assertThat(resent.size()).isLessThanOrEqualTo(4);
        assertThat(isResent(resent, event(1009, "{\"id\":9}"))).isTrue();
        assertThat(isResent(resent, event(1000, "{\"id\":0}"))).isFalse();
    }

    @Test
    void shouldNeverDropAnEventWithoutAnLsn() throws Exception {
        ResentEvents resent = new ResentEvents(1000);
        ChangeEvent noLsn = ChangeEvent.of(mapper.readTree("{\"op\":\"c\",\"after\":{\"id\":1},\"source\":{\"connector\":\"mysql\"}}"));
        assertThat(ResentEvents.positionOf(TOPIC, noLsn)).isNull();
        assertThat(isResent(resent, noLsn)).isFalse();
    }

    @Test
    void shouldFindEveryDigestAddedAcrossGrowthAndNoOther() {
        ResentEvents.DigestSet set = new ResentEvents.DigestSet(1);
        for (long i = 0; i < 10_000; i++) {
            set.add(new ResentEvents.Digest(i * 31, i)); // (0, 0) among them
            set.add(new ResentEvents.Digest(i * 31, i)); // twice: counted once
        }

        assertThat(set.size()).isEqualTo(10_000);
        for (long i = 0; i < 10_000; i++) {
            assertThat(set.contains(new ResentEvents.Digest(i * 31, i))).isTrue();
            assertThat(set.contains(new ResentEvents.Digest(i * 31 + 1, i))).isFalse();
        }
    }

    @Test
    void shouldRecogniseEventsWithLongAndNonAsciiTextAfterReadingThemBack() throws Exception {
        String longText = "{\"id\":1,\"note\":\"" + "x".repeat(300) + "\"}";
        String nonAscii = "{\"id\":2,\"note\":\"" + "\u00e9\u4e2d".repeat(200) + "\"}";
        Files.writeString(dir.resolve(TOPIC + ".log"), formatter.format(TOPIC, 0, 1, event(200, longText))
                + formatter.format(TOPIC, 0, 2, event(201, nonAscii)));

        ResentEvents resent = ResentEvents.scan(dir, 1000, mapper);

        assertThat(isResent(resent, event(200, longText))).isTrue();
        assertThat(isResent(resent, event(201, nonAscii))).isTrue();
        assertThat(isResent(resent, event(200, longText.replace("xxx", "xxy")))).isFalse();
    }
}
