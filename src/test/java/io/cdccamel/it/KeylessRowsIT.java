package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.ConnectorRole;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Identical rows of a table without a key ({@code REPLICA IDENTITY FULL}): nothing but their Kafka
 * position tells their change events apart (same row image, and in a snapshot or one statement the
 * same {@code source.lsn} and {@code txId}), so every one of them must be printed, none taken for
 * a re-send.
 */
@ExtendWith(EmbeddedStackExtension.class)
class KeylessRowsIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** {@code <schema>.dupes (a int, b text)}: no primary key, the whole row as replica identity. */
    private static void createKeylessTable(String schema) throws Exception {
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE",
                "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".dupes (a int, b text)",
                "ALTER TABLE " + schema + ".dupes REPLICA IDENTITY FULL",
                "GRANT USAGE ON SCHEMA " + schema + " TO " + ConnectorRole.ROLE,
                "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + ConnectorRole.ROLE);
    }

    private static String topic(String schema) {
        return "postgres." + schema + ".dupes";
    }

    private TestApp startApp(String schema, String instance) throws Exception {
        TestApp app = apps.start(schema, instance.replace('-', '_') + "_connector", instance, false,
                Map.of("cdc.topics", topic(schema)));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        return app;
    }

    private static Path outputFile(TestApp app, String schema) {
        return app.outputDir.resolve(topic(schema) + ".log");
    }

    /** Every change event of the topic (tombstones left out), read to its end with read_committed. */
    private static List<JsonNode> eventsInTopic(String topic) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (ConsumerRecord<String, String> r : TopicInserts.readToEnd(topic)) {
            if (r.value() != null) {
                events.add(MAPPER.readTree(r.value()));
            }
        }
        return events;
    }

    /** How many events show each {@code op before -> after}, e.g. {@code u {"a":1,"b":"x"} -> {"a":1,"b":"y"}}. */
    private static Map<String, Long> census(List<JsonNode> events) {
        Function<JsonNode, String> change = e -> e.path("op").asText() + " " + e.path("before") + " -> " + e.path("after");
        return events.stream().collect(Collectors.groupingBy(change, java.util.TreeMap::new, Collectors.counting()));
    }

    private static List<JsonNode> printedEvents(Path file) {
        return OutputEntries.read(file).stream().filter(e -> !e.isTombstone()).map(Entry::json).toList();
    }

    @Test
    void shouldPrintEveryChangeOfIdenticalRowsInOneStatementInOneCopyAndInSeparateTransactions() throws Exception {
        String schema = "it_keyless";
        createKeylessTable(schema);
        TestApp app = startApp(schema, "keyless");
        Path file = outputFile(app, schema);

        // three identical rows in one statement, three in one COPY, three in transactions of their own
        Db.exec("INSERT INTO " + schema + ".dupes VALUES (1, 'same'), (1, 'same'), (1, 'same')");
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack())) {
            long copied = new CopyManager(c.unwrap(BaseConnection.class))
                    .copyIn("COPY " + schema + ".dupes FROM STDIN", new StringReader("2\tcopied\n2\tcopied\n2\tcopied\n"));
            assertThat(copied).isEqualTo(3);
        }
        for (int i = 0; i < 3; i++) {
            Db.exec("INSERT INTO " + schema + ".dupes VALUES (3, 'alone')");
        }
        // then all nine updated in one statement, and all nine deleted in one
        Db.exec("UPDATE " + schema + ".dupes SET b = b || ' updated'");
        Db.exec("DELETE FROM " + schema + ".dupes");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                OutputEntries.countOp(file, "c") >= 9 && OutputEntries.countOp(file, "u") >= 9 && OutputEntries.countOp(file, "d") >= 9);

        Map<String, Long> printed = census(printedEvents(file));
        assertThat(printed).containsExactlyInAnyOrderEntriesOf(Map.of(
                "c null -> {\"a\":1,\"b\":\"same\"}", 3L,
                "c null -> {\"a\":2,\"b\":\"copied\"}", 3L,
                "c null -> {\"a\":3,\"b\":\"alone\"}", 3L,
                "u {\"a\":1,\"b\":\"same\"} -> {\"a\":1,\"b\":\"same updated\"}", 3L,
                "u {\"a\":2,\"b\":\"copied\"} -> {\"a\":2,\"b\":\"copied updated\"}", 3L,
                "u {\"a\":3,\"b\":\"alone\"} -> {\"a\":3,\"b\":\"alone updated\"}", 3L,
                "d {\"a\":1,\"b\":\"same updated\"} -> null", 3L,
                "d {\"a\":2,\"b\":\"copied updated\"} -> null", 3L,
                "d {\"a\":3,\"b\":\"alone updated\"} -> null", 3L));
        // Kafka holds exactly these, once each, and every one of them is in the output
        assertThat(census(eventsInTopic(topic(schema)))).isEqualTo(printed);
        // each printed once, at its own position
        List<Entry> entries = OutputEntries.read(file);
        assertThat(entries.stream().map(e -> e.partition() + "/" + e.offset()).distinct()).hasSameSizeAs(entries);
        // the rows inserted together are one transaction, the separate ones three: content alone cannot tell them apart
        List<JsonNode> together = printedEvents(file).stream()
                .filter(e -> "c".equals(e.path("op").asText()) && e.path("after").path("a").asInt() == 1).toList();
        assertThat(together.stream().map(e -> e.path("source").path("txId").asLong()).distinct()).hasSize(1);
        List<JsonNode> alone = printedEvents(file).stream()
                .filter(e -> "c".equals(e.path("op").asText()) && e.path("after").path("a").asInt() == 3).toList();
        assertThat(alone.stream().map(e -> e.path("source").path("txId").asLong()).distinct()).hasSize(3);
    }

    @Test
    void shouldPrintEveryIdenticalRowOfASnapshot() throws Exception {
        String schema = "it_keyless_snapshot";
        createKeylessTable(schema);
        // there before the connector: its snapshot reads them all at one LSN
        Db.exec("INSERT INTO " + schema + ".dupes VALUES (1, 'same'), (1, 'same'), (1, 'same'), (2, 'twin'), (2, 'twin')");
        TestApp app = startApp(schema, "keyless-snapshot");
        Path file = outputFile(app, schema);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> OutputEntries.countOp(file, "r") >= 5);
        // a change after the snapshot: once it is printed, the snapshot is all in Kafka
        Db.exec("INSERT INTO " + schema + ".dupes VALUES (9, 'after the snapshot')");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> OutputEntries.countOp(file, "c") >= 1);

        Map<String, Long> printed = census(printedEvents(file));
        assertThat(printed).containsExactlyInAnyOrderEntriesOf(Map.of(
                "r null -> {\"a\":1,\"b\":\"same\"}", 3L,
                "r null -> {\"a\":2,\"b\":\"twin\"}", 2L,
                "c null -> {\"a\":9,\"b\":\"after the snapshot\"}", 1L));
        assertThat(census(eventsInTopic(topic(schema)))).isEqualTo(printed);
        List<JsonNode> snapshot = printedEvents(file).stream().filter(e -> "r".equals(e.path("op").asText())).toList();
        assertThat(snapshot.stream().map(e -> e.path("source").path("lsn").asLong()).distinct())
                .as("snapshot rows share one source.lsn").hasSize(1);
        assertThat(app.metric("cdc_snapshot_events_total")).isEqualTo(5);
    }
}
