package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Running for days on the real stack: a table snapshotted again on demand while rows stream, the
 * slot's WAL kept small by heartbeats while only uncaptured tables are written, a big row through
 * every hop, and records Kafka deleted before they were printed said, not skipped in silence.
 */
@ExtendWith(EmbeddedStackExtension.class)
class SourceSafetyIT {

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static HttpResponse<String> post(TestApp app, String path, boolean withToken) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.apiUrl() + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (withToken) {
            request.header("Authorization", "Bearer " + app.apiToken());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> capturing(String prefix, String schema) {
        return Map.of("cdc.connector.config.schema.include.list", schema,
                "cdc.connector.config.topic.prefix", prefix,
                "cdc.topics", "",
                "cdc.capture.refresh.ms", "1000");
    }

    private static long retainedWal(String slot) throws Exception {
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             ResultSet rs = c.createStatement().executeQuery("SELECT (pg_current_wal_lsn() - restart_lsn)::bigint "
                     + "FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    @Test
    void shouldSnapshotATableAgainOnDemandWhileRowsStream() throws Exception {
        String schema = "safe_again";
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".items (id int PRIMARY KEY, name text)",
                "INSERT INTO " + schema + ".items SELECT g, 'item ' || g FROM generate_series(1, 2000) g");
        TestApp app = apps.start(schema, "again_connector", "again", false, capturing("again", schema));
        Path file = app.outputDir.resolve("again." + schema + ".items.log");
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file, "r") == 2000);

        HttpResponse<String> missing = post(app, "/api/tables/" + schema + ".nope/snapshot", true);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(missing.body()).path("captured").toString()).contains(schema + ".items");
        assertThat(post(app, "/api/tables/" + schema + ".items/snapshot", false).statusCode())
                .as("no token, no page of the app's own").isEqualTo(403);

        HttpResponse<String> asked = post(app, "/api/tables/" + schema + ".items/snapshot", true);
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        assertThat(MAPPER.readTree(asked.body()).path("snapshot").asText()).isEqualTo("incremental");
        // inserts while Debezium reads the table again
        for (int id = 2001; id <= 2100; id += 10) {
            Db.exec("INSERT INTO " + schema + ".items SELECT g, 'new ' || g FROM generate_series(" + id + ", " + (id + 9) + ") g");
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file, "c") == 100
                && OutputEntries.countOp(file, "r") >= 4000);
        List<OutputEntries.Entry> entries = OutputEntries.read(file);
        Map<Integer, Long> reads = entries.stream().filter(e -> "r".equals(e.op()))
                .collect(Collectors.groupingBy(e -> e.row().path("id").asInt(), Collectors.counting()));
        // every row that existed before is printed once more; a row inserted during the snapshot may be read by it too
        for (int id = 1; id <= 2000; id++) {
            assertThat(reads.get(id)).as("reads of row %d", id).isEqualTo(2L);
        }
        Set<Integer> created = entries.stream().filter(e -> "c".equals(e.op())).map(e -> e.row().path("id").asInt())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(created).hasSize(100).first().isEqualTo(2001);
    }

    @Test
    void shouldAnswer409WhileASnapshotRuns() throws Exception {
        String schema = "safe_busy";
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".many (id int PRIMARY KEY, v text)",
                "INSERT INTO " + schema + ".many SELECT g, repeat('v', 20) FROM generate_series(1, 20000) g");
        TestApp app = apps.start(schema, "busy_connector", "busy", false, capturing("busy", schema));
        Path file = app.outputDir.resolve("busy." + schema + ".many.log");
        await().atMost(Duration.ofSeconds(180)).until(() -> OutputEntries.countOp(file, "r") == 20_000);
        assertThat(post(app, "/api/tables/" + schema + ".many/snapshot", true).statusCode()).isEqualTo(202);
        HttpResponse<String> again = post(app, "/api/tables/" + schema + ".many/snapshot", true);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    }

    @Test
    void shouldKeepTheSlotsWalSmallWithHeartbeatsWhileOnlyUncapturedTablesAreWritten() throws Exception {
        String schema = "safe_quiet";
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".idle (id int PRIMARY KEY)", "INSERT INTO " + schema + ".idle VALUES (1)",
                "DROP SCHEMA IF EXISTS safe_noise CASCADE", "CREATE SCHEMA safe_noise", "CREATE TABLE safe_noise.junk (v text)");
        TestApp app = apps.start(schema, "quiet_connector", "quiet", false, capturing("quiet", schema));
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(app.outputDir.resolve("quiet." + schema + ".idle.log"), "r") == 1);

        // 200 MB into a table nobody captures, in transactions of about 20 MB
        for (int i = 0; i < 10; i++) {
            Db.exec("INSERT INTO safe_noise.junk SELECT repeat(md5(g::text), 32) FROM generate_series(1, 20000) g");
        }
        assertThat(retainedWal("slot_quiet_connector")).as("WAL written meanwhile").isGreaterThan(150_000_000L);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> retainedWal("slot_quiet_connector") < 64_000_000L);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.metric("cdc_slot_retained_wal_bytes") < 64_000_000L
                && app.metric("cdc_slot_retained_wal_bytes") >= 0);
        Db.exec("DROP SCHEMA safe_noise CASCADE");
    }

    @Test
    void shouldPrintABigRowsInsertUpdateAndDeleteAndGoOn() throws Exception {
        String schema = "safe_big";
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".docs (id int PRIMARY KEY, note text, body text)",
                "ALTER TABLE " + schema + ".docs REPLICA IDENTITY FULL");
        TestApp app = apps.start(schema, "big_connector", "big", false, capturing("big", schema));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        // 4,000,000 characters PostgreSQL cannot compress, 4 times Kafka's default limit; an update carries it
        // twice (before and after). Kept this size: every event is also printed to the console, which the test
        // runner holds in memory (20 MB rows were tried by hand: docs/operations.md#big-rows)
        Db.exec("INSERT INTO " + schema + ".docs SELECT 1, 'first', string_agg(md5(g::text), '') FROM generate_series(1, 125000) g",
                "UPDATE " + schema + ".docs SET note = 'second' WHERE id = 1",
                "DELETE FROM " + schema + ".docs WHERE id = 1",
                "INSERT INTO " + schema + ".docs VALUES (2, 'after the big row', 'small')");
        Path file = app.outputDir.resolve("big." + schema + ".docs.log");
        await().atMost(Duration.ofSeconds(120)).until(() -> OutputEntries.countOp(file, "c") == 2
                && OutputEntries.countOp(file, "d") == 1 && OutputEntries.countOp(file, "u") == 1);
        List<OutputEntries.Entry> entries = OutputEntries.read(file).stream().filter(e -> !e.isTombstone()).toList();
        OutputEntries.Entry update = entries.stream().filter(e -> "u".equals(e.op())).findFirst().orElseThrow();
        assertThat(update.json().path("after").path("body").asText()).hasSize(4_000_000);
        assertThat(update.json().path("before").path("body").asText()).isEqualTo(update.json().path("after").path("body").asText());
        assertThat(entries.stream().filter(e -> "c".equals(e.op())).map(e -> e.row().path("note").asText()))
                .containsExactlyInAnyOrder("first", "after the big row");
    }

    @Test
    void shouldSayWhichRecordsKafkaDeletedBeforeTheyWerePrinted() throws Exception {
        String schema = "safe_lost";
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".t (id int PRIMARY KEY)", "INSERT INTO " + schema + ".t SELECT generate_series(1, 30)");
        Map<String, String> settings = new HashMap<>(capturing("lost", schema));
        TestApp app = apps.start(schema, "lost_connector", "lost", false, settings);
        Path file = app.outputDir.resolve("lost." + schema + ".t.log");
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file, "r") == 30);
        apps.stop(app);

        // while the app is stopped, rows stream into Kafka and are deleted there before it reads them
        Db.exec("INSERT INTO " + schema + ".t SELECT generate_series(31, 60)");
        String topic = "lost." + schema + ".t";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedStackExtension.stack().kafka().bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.listOffsets(latest).all().get().values().stream()
                    .mapToLong(i -> i.offset()).sum() >= 60);
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get();
            // and the topic deletes by age, as a topic made before the connector file said retention.ms=-1
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "604800000"), AlterConfigOp.OpType.SET)))).all().get();
        }
        // the default (fail) would not start: this user prefers to go on from the first record Kafka has
        settings.put("cdc.consumer.on-lost-offsets", "continue");
        TestApp again = apps.start(schema, "lost_connector", "lost", false, settings);
        await().atMost(Duration.ofSeconds(30)).until(() -> again.metric("cdc_consumer_lost_records_total") >= 30);
        Path log = Path.of(System.getProperty("cdc.log.dir", "data/logs"), "cdc-camel.log");
        assertThat(Files.readString(log)).contains("Consumer group group-lost had read " + topic + "-")
                .contains("were deleted (retention, or by hand) before they were printed")
                .contains("Topic " + topic + " deletes records older than 168h (retention.ms=604800000)");
        Db.exec("INSERT INTO " + schema + ".t VALUES (61)");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file, "c") == 1);
        assertThat(OutputEntries.read(file).stream().filter(e -> "c".equals(e.op())).map(e -> e.row().path("id").asInt()))
                .containsExactly(61);
    }
}
