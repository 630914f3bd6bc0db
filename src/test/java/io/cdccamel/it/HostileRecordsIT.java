package io.cdccamel.it;

import io.cdccamel.events.DeadLetterHeaders;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A corpus of hostile records produced straight to the topic the app consumes: each one is
 * either printed or dead-lettered with its position and reason, its offset is committed, and
 * a real change event after them prints normally.
 */
@ExtendWith(EmbeddedStackExtension.class)
class HostileRecordsIT {

    private static final String SCHEMA = "it_hostile";
    private static final String TOPIC = "postgres." + SCHEMA + ".product";
    private static final int FIVE_MB = 5 * 1024 * 1024;

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** One hostile record and what must become of it. */
    record Case(String name, byte[] key, byte[] value, Map<String, String> headers, String fate) {
        static Case of(String name, String value, String fate) {
            return new Case(name, bytes("Struct{id=7}"), value == null ? null : bytes(value), Map.of(), fate);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String envelope(String op) {
        return "{\"before\":null,\"after\":{\"id\":7,\"name\":\"x\"},\"source\":{\"name\":\"postgres\",\"schema\":\""
                + SCHEMA + "\",\"table\":\"product\"},\"op\":\"" + op + "\",\"ts_ms\":1,\"transaction\":null}";
    }

    private static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        cases.add(Case.of("tombstone", null, "printed"));
        cases.add(Case.of("empty value", "", "dead:MismatchedInputException"));
        cases.add(new Case("not UTF-8", bytes("k"), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE}, Map.of(),
                "dead:JsonParseException"));
        cases.add(Case.of("truncated JSON", "{\"op\":\"c\",\"after\":{\"id\":", "dead:JsonEOFException"));
        cases.add(Case.of("a JSON array", "[1,2,3]", "dead:a JSON array"));
        cases.add(Case.of("a bare number", "42", "dead:a JSON number"));
        cases.add(Case.of("a JSON string", "\"hello\"", "dead:a JSON string"));
        cases.add(Case.of("JSON null", "null", "dead:tombstone is not a change event"));
        cases.add(Case.of("whitespace only", "   \n ", "dead:MismatchedInputException"));
        cases.add(Case.of("not JSON", "hello, world", "dead:JsonParseException"));
        cases.add(Case.of("schema and payload", "{\"schema\":{\"type\":\"struct\"},\"payload\":" + envelope("c") + "}", "printed"));
        cases.add(Case.of("no op", "{\"after\":{\"id\":7}}", "dead:no \"op\""));
        cases.add(Case.of("empty object", "{}", "dead:no \"op\""));
        cases.add(Case.of("unknown op", envelope("x"), "dead:unknown Debezium operation"));
        cases.add(Case.of("truncate", envelope("t"), "printed"));
        cases.add(Case.of("message", envelope("m"), "printed"));
        cases.add(Case.of("duplicate keys", "{\"op\":\"c\",\"op\":\"u\",\"after\":{\"id\":7}}", "printed"));
        cases.add(Case.of("5 MB value", envelope("c").replace("\"name\":\"x\"", "\"name\":\"" + "x".repeat(FIVE_MB) + "\""),
                "printed"));
        cases.add(Case.of("nested 10,000 levels", "[".repeat(10_000) + "]".repeat(10_000), "dead:StreamConstraintsException"));
        cases.add(new Case("null key", null, bytes(envelope("c")), Map.of(), "printed"));
        cases.add(new Case("key not UTF-8", new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00}, bytes(envelope("c")), Map.of(), "printed"));
        // a real-looking PostgreSQL event, then the same bytes again at a new offset, as identical
        // rows of a keyless table are: two changes, both printed (nothing is dropped for its content)
        String withLsn = "{\"before\":null,\"after\":{\"id\":8,\"name\":\"y\"},\"source\":{\"connector\":\"postgresql\","
                + "\"schema\":\"" + SCHEMA + "\",\"table\":\"product\",\"lsn\":987654,\"txId\":4242},\"op\":\"c\",\"ts_ms\":2}";
        cases.add(Case.of("event with a source position", withLsn, "printed"));
        cases.add(Case.of("the same event again", withLsn, "printed"));
        cases.add(new Case("headers that try to steer Camel", bytes("k"), bytes(envelope("c")),
                Map.of("CamelFileName", "../escaped.log", "CAMELFILENAME", "../escaped2.log",
                        "CamelOverruleFileName", "../escaped3.log", "CamelKafkaTopic", "other",
                        KafkaConstants.TOPIC, "other2"), "printed"));
        return cases;
    }

    private static Properties clientProps() {
        Properties p = new Properties();
        p.put("bootstrap.servers", EmbeddedStackExtension.stack().kafka().bootstrapServers());
        return p;
    }

    @Test
    void shouldPrintOrDeadLetterEveryHostileRecordAndGoOn() throws Exception {
        Db.createProductTable(SCHEMA);
        try (Admin admin = Admin.create(clientProps())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)
                    .configs(Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024))))).all().get();
        }
        TestApp app = apps.start(SCHEMA, "hostile_connector", "hostile");
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        List<Case> cases = corpus();
        Map<Long, Case> byOffset = new HashMap<>();
        Properties producerProps = clientProps();
        producerProps.put("max.request.size", Integer.toString(8 * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Case c : cases) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, 0, c.key(), c.value());
                c.headers().forEach((k, v) -> record.headers().add(new RecordHeader(k, bytes(v))));
                byOffset.put(producer.send(record).get().offset(), c);
            }
        }
        // a real change event after the corpus
        Db.exec("INSERT INTO " + SCHEMA + ".product VALUES (1, 'after the corpus')");

        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.read(app.outputFile()).stream()
                .anyMatch(e -> "c".equals(e.op()) && e.json().path("after").path("id").asInt() == 1));

        Map<Long, Entry> printed = OutputEntries.read(app.outputFile()).stream()
                .collect(Collectors.toMap(Entry::offset, e -> e, (a, b) -> a));
        List<String> deadLines = Files.readAllLines(app.outputDir.resolve(io.cdccamel.events.OutputFormat.DEAD_LETTER_FILE));
        Map<Long, String> dead = new HashMap<>();
        for (String line : deadLines) {
            long offset = Long.parseLong(line.replaceFirst("^.*, Offset: (\\d+) \\].*$", "$1"));
            dead.put(offset, line);
        }
        for (Map.Entry<Long, Case> e : byOffset.entrySet()) {
            long offset = e.getKey();
            Case c = e.getValue();
            if (c.fate().equals("printed")) {
                assertThat(printed).as(c.name()).containsKey(offset);
                assertThat(dead).as(c.name()).doesNotContainKey(offset);
            } else {
                assertThat(dead).as(c.name()).containsKey(offset);
                assertThat(dead.get(offset)).as(c.name())
                        .startsWith("Dead letter on [ Topic: " + TOPIC + " , Partition: 0, Offset: " + offset + " ] reason: ")
                        .contains(c.fate().substring("dead:".length()));
                assertThat(printed).as(c.name()).doesNotContainKey(offset);
            }
        }
        assertThat(printed.get(offsetOf(byOffset, "tombstone")).text()).startsWith("tombstone (null value) for key");
        assertThat(printed.get(offsetOf(byOffset, "5 MB value")).json().path("after").path("name").asText()).hasSize(FIVE_MB);
        assertThat(printed.get(offsetOf(byOffset, "schema and payload")).json().has("schema")).isFalse();
        // headers from the record steered nothing: one output file per topic, plus the dead letters, the positions
        // journal and the folder's lock
        try (var files = Files.list(app.outputDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(TOPIC + ".log",
                    io.cdccamel.events.OutputFormat.DEAD_LETTER_FILE, io.cdccamel.store.PositionsJournal.FILE_NAME,
                    io.cdccamel.folder.FolderLock.FILE_NAME);
        }
        assertThat(Files.exists(app.outputDir.resolveSibling("escaped.log"))).isFalse();

        // every dead letter is in the dead-letter topic too, unchanged, with its reason
        long deadCount = cases.stream().filter(c -> c.fate().startsWith("dead:")).count();
        assertThat(dead).hasSize((int) deadCount);
        Map<String, String> reasonBySourceOffset = readDeadLetterTopic((int) deadCount);
        assertThat(reasonBySourceOffset.keySet()).containsExactlyInAnyOrderElementsOf(
                dead.keySet().stream().map(String::valueOf).toList());

        // and every offset, printed or dead-lettered, is committed: up to the real event's, the last
        // record; after it the log holds only the commit marker of Connect's transaction, which
        // takes an offset of its own and is never delivered to a consumer
        long lastRecord = printed.values().stream()
                .filter(e -> "c".equals(e.op()) && e.json().path("after").path("id").asInt() == 1)
                .mapToLong(Entry::offset).max().orElseThrow();
        long end;
        try (Admin admin = Admin.create(clientProps())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
            assertThat(end).as("the corpus, the real event and its transaction's commit marker").isEqualTo(lastRecord + 2);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets("group-hostile")
                        .partitionsToOffsetAndMetadata().get().get(tp);
                assertThat(committed).as("group-hostile's committed offset").isNotNull();
                assertThat(committed.offset()).as("group-hostile's committed offset").isEqualTo(lastRecord + 1);
            });
        }
        // both copies of the identical event printed, with their own offsets
        assertThat(printed.get(offsetOf(byOffset, "the same event again")).text())
                .isEqualTo(printed.get(offsetOf(byOffset, "event with a source position")).text());
        System.out.printf("HOSTILE CORPUS: %d records, %d printed, %d dead-lettered, 0 dropped; committed offset %d%n",
                cases.size(), cases.size() - deadCount, deadCount, end);
    }

    @Test
    void shouldFindThatKafkaRefusesTopicNamesThatWouldBeDangerousFileNames() throws Exception {
        // the route names a file after the topic: Kafka allows only [a-zA-Z0-9._-]{1,249}, not "." or ".."
        try (Admin admin = Admin.create(clientProps())) {
            for (String name : List.of("..", ".", "../escape", "a/b", "x".repeat(250), "nul\u0000byte")) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(name, 1, (short) 3))).all().get())
                        .as(name).hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidTopicException.class);
            }
        }
    }

    private static long offsetOf(Map<Long, Case> byOffset, String name) {
        return byOffset.entrySet().stream().filter(e -> e.getValue().name().equals(name)).findFirst().orElseThrow().getKey();
    }

    private static Map<String, String> readDeadLetterTopic(int expected) {
        Properties props = clientProps();
        props.put("group.id", "hostile-dlq-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("cdc-camel.dead-letter"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    var topic = r.headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC);
                    if (topic != null && TOPIC.equals(new String(topic.value(), StandardCharsets.UTF_8))) {
                        reasons.put(new String(r.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(), StandardCharsets.UTF_8),
                                new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
                    }
                }
                return reasons.size() >= expected;
            });
        }
        return reasons;
    }
}
