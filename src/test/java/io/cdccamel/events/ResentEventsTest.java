package io.cdccamel.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
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

    private Exchange record(ChangeEvent event) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, TOPIC);
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, 99L);
        exchange.getMessage().setBody(event);
        return exchange;
    }

    @Test
    void shouldRecogniseAnEventAfterReadingItsPrintedCopyBack() throws Exception {
        // column order, exact numbers and characters Go escapes survive the printing
        String row = "{\"name\":\"<caf\\u00e9 & \\\"x\\\">\",\"id\":12,\"price\":10.50,\"big\":12345678901234567890123}";
        Files.writeString(dir.resolve(TOPIC + ".log"), formatter.format(TOPIC, 1, 5, event(100, row))
                + formatter.formatTombstone(TOPIC, 1, 6, "k") + formatter.format(TOPIC, 2, 0, event(101, "{\"id\":13}")));

        ResentEvents resent = ResentEvents.scan(dir, 1000, mapper);

        assertThat(resent.size()).isEqualTo(2);
        assertThat(resent.isResent(record(event(100, row)))).isTrue();
        assertThat(resent.isResent(record(event(101, "{\"id\":13}")))).isTrue();
        // another lsn, another row: new events
        assertThat(resent.isResent(record(event(102, row)))).isFalse();
        assertThat(resent.isResent(record(event(100, "{\"id\":12,\"name\":\"other\"}")))).isFalse();
        assertThat(resent.droppedCount()).isEqualTo(2);
    }

    @Test
    void shouldRememberAnEventOnlyOnceItIsWritten() throws Exception {
        ResentEvents resent = new ResentEvents(1000);
        Exchange first = record(event(100, "{\"id\":1}"));

        assertThat(resent.isResent(first)).isFalse();
        // not written (the write failed and the record is retried): the retry is not a re-send
        assertThat(resent.isResent(record(event(100, "{\"id\":1}")))).isFalse();
        resent.written(first);
        assertThat(resent.isResent(record(event(100, "{\"id\":1}")))).isTrue();
    }

    @Test
    void shouldForgetTheOldestPositionsBeyondTheWindow() throws Exception {
        ResentEvents resent = new ResentEvents(4);
        for (int i = 0; i < 10; i++) {
            Exchange e = record(event(1000 + i, "{\"id\":" + i + "}"));
            assertThat(resent.isResent(e)).isFalse();
            resent.written(e);
        }

        assertThat(resent.size()).isLessThanOrEqualTo(4);
        assertThat(resent.isResent(record(event(1009, "{\"id\":9}")))).isTrue();
        assertThat(resent.isResent(record(event(1000, "{\"id\":0}")))).isFalse();
    }

    @Test
    void shouldNeverDropAnEventWithoutAnLsn() throws Exception {
        ResentEvents resent = new ResentEvents(1000);
        ChangeEvent noLsn = ChangeEvent.of(mapper.readTree("{\"op\":\"c\",\"after\":{\"id\":1},\"source\":{\"connector\":\"mysql\"}}"));
        Exchange e = record(noLsn);
        resent.isResent(e);
        resent.written(e);

        assertThat(resent.isResent(record(noLsn))).isFalse();
    }
}
