package io.cdccamel.route;

import io.cdccamel.events.DeadLetterHeaders;
import io.cdccamel.CdcApplication;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.store.WrittenPositions;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The YAML route {@code routes/print-change-events.camel.yaml}, as users edit it, loaded by Camel
 * Main with the app's own configuration classes ({@link CdcApplication#addConfigurations}) and properties (external mode, nothing to reach),
 * its Kafka input replaced by a direct endpoint: a batch of records in (as Camel's Kafka consumer
 * hands a poll's records over in batching mode), expected file text out.
 */
class PrintChangeEventsRouteTest extends CamelMainTestSupport {

    private static final String TOPIC = "postgres.debezium.product";

    /** A new one per test: the app reads its output folder back when it starts. */
    private Path outputDir;

    private final RecordingLogger logged = new RecordingLogger();
    private WrittenPositions positions;
    private DurableCommits durableCommits;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        CdcApplication.addConfigurations(configuration);
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        try {
            outputDir = Files.createTempDirectory("print-change-events-test");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("cdc.mode", "external"),
                Map.entry("cdc.output.dir", outputDir.toString()),
                Map.entry("cdc.search.enabled", "false"),
                Map.entry("cdc.topics", TOPIC),
                Map.entry("cdc.topics.pattern", "false"),
                Map.entry("cdc.consumer.group", "test"),
                Map.entry("cdc.kafka.brokers", "localhost:1"),
                Map.entry("cdc.postgres.port", "1"),
                Map.entry("cdc.api.port", Integer.toString(io.cdccamel.stack.Ports.freePort())),
                Map.entry("cdc.dead-letter.endpoint", "mock:dead-letter-topic"),
                // no Kafka to compare the group's offsets with
                Map.entry("cdc.consumer.lost-offsets-check.ms", "0"),
                Map.entry("camel.main.routes-reload-enabled", "false"),
                // the app's other routes talk to Connect: not this test's concern
                Map.entry("camel.main.route-filter-exclude-pattern", "register-connector")));
        return props;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        // the log endpoints use the one slf4j Logger of the registry
        registry.bind("recordingLogger", logged);
    }

    /** What the route's log endpoints logged. */
    private static final class RecordingLogger extends org.slf4j.helpers.LegacyAbstractLogger {
        final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, org.slf4j.Marker marker, String message,
                                                   Object[] arguments, Throwable throwable) {
            messages.add(org.slf4j.helpers.MessageFormatter.basicArrayFormat(message, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @BeforeEach
    void startTheYamlRoute(org.junit.jupiter.api.TestInfo test) throws Exception {
        AdviceWith.adviceWith(context, "print-change-events", a -> {
            a.replaceFromWith("direct:batches");
            if (test.getTags().contains("user-steps-that-go-wrong")) {
                // steps a user might add: one that drops every header and replaces the body, then
                // one that goes on in another thread
                a.weaveByToUri(WriteChangeEvents.WRITE).before()
                        .process(e -> ((List<?>) e.getMessage().getBody()).forEach(m -> ((org.apache.camel.Message) m).removeHeaders("*")))
                        .setBody(org.apache.camel.builder.Builder.constant("not the records"))
                        .removeHeaders("*")
                        .threads(1);
            }
            if (test.getTags().contains("user-step-that-throws")) {
                // throws until the batch's event is a dead letter (the body no longer holds it)
                a.weaveByToUri(WriteChangeEvents.WRITE).before()
                        .process(e -> {
                            if (((List<?>) e.getMessage().getBody()).stream().anyMatch(
                                    m -> ((org.apache.camel.Message) m).getBody() instanceof io.cdccamel.events.ChangeEvent)) {
                                throw new IllegalStateException("a step's bug");
                            }
                        });
            }
            if (test.getTags().contains("user-step-that-throws-on-one-record")) {
                a.weaveByToUri(WriteChangeEvents.WRITE).before()
                        .process(e -> ((List<?>) e.getMessage().getBody()).forEach(m -> {
                            org.apache.camel.Message record = (org.apache.camel.Message) m;
                            if (record.getHeader(KafkaConstants.PARTITION, Integer.class) == 0
                                    && record.getHeader(KafkaConstants.OFFSET, Long.class) == 6) {
                                throw new IllegalStateException("record 0@6");
                            }
                        }));
            }
            a.weaveAddLast().to("mock:printed");
        });
        context.start();
        positions = context.getRegistry().findSingleByType(WrittenPositions.class);
        durableCommits = context.getRegistry().findSingleByType(DurableCommits.class);
    }

    /** A record's exchange, as Camel's Kafka consumer puts it in a batch. */
    private Exchange record(String topic, int partition, long offset, String key, String value, KafkaManualCommit commit) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setBody(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        record.getMessage().setHeader(KafkaConstants.TOPIC, topic);
        record.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        record.getMessage().setHeader(KafkaConstants.KEY, key);
        if (commit != null) {
            record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, commit);
        }
        return record;
    }

    private Exchange record(String topic, int partition, long offset, String key, String value) {
        return record(topic, partition, offset, key, value, null);
    }

    /** One batch: the records of a poll. */
    private void batch(Exchange... records) {
        template.sendBody("direct:batches", List.of(records));
    }

    /** A batch of one record. */
    private void send(String topic, int partition, long offset, String key, String value) {
        batch(record(topic, partition, offset, key, value));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PrintChangeEventsRouteTest.class.getResourceAsStream("/envelopes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String output(String file) throws IOException {
        return Files.readString(outputDir.resolve(file));
    }

    @Test
    void shouldAppendTheGoFormattedEventToThePerTopicFile() throws Exception {
        send(TOPIC, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));

        assertThat(output(TOPIC + ".log")).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldGiveEachRecordCamelsDebeziumHeaders() throws Exception {
        MockEndpoint printed = getMockEndpoint("mock:printed");
        printed.expectedMessageCount(1);

        send(TOPIC, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));

        printed.assertIsSatisfied();
        List<?> records = ChangeEventBatch.of(printed.getExchanges().get(0)).records();
        assertThat(records).hasSize(1);
        org.apache.camel.Message record = (org.apache.camel.Message) records.get(0);
        assertThat(record.getHeader(DebeziumConstants.HEADER_OPERATION)).isEqualTo("r");
        assertThat(record.getHeader(DebeziumConstants.HEADER_IDENTIFIER)).isEqualTo(TOPIC);
        assertThat(record.getHeader(DebeziumConstants.HEADER_KEY)).isEqualTo("Struct{id=23}");
        assertThat(record.getHeader(DebeziumConstants.HEADER_TIMESTAMP)).isEqualTo(1630916915785L);
        @SuppressWarnings("unchecked")
        Map<String, Object> source = record.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class);
        assertThat(source).containsEntry("table", "product").containsEntry("txId", 555L);
        assertThat(record.getHeader(DebeziumConstants.HEADER_BEFORE)).isNull();
        assertThat(record.getBody()).isInstanceOf(io.cdccamel.events.ChangeEvent.class);
    }

    @Test
    void shouldPrintTombstoneWithoutFailingAndGoOn() throws Exception {
        send(TOPIC, 2, 3, "Struct{id=24}", null);
        send(TOPIC, 2, 4, "Struct{id=23}", resource("seed-snapshot.json"));

        assertThat(output(TOPIC + ".log")).isEqualTo(
                "Message on [ Topic: postgres.debezium.product , Partition: 2, Offset: 3 ] tombstone (null value) for key Struct{id=24}\n"
                + resource("seed-snapshot.golden.txt").replace("Partition: 0, Offset: 0", "Partition: 2, Offset: 4"));
    }

    @Test
    void shouldSendNonJsonToTheDeadLetterLogWithItsPositionAndGoOn() throws Exception {
        MockEndpoint deadLetterTopic = getMockEndpoint("mock:dead-letter-topic");
        deadLetterTopic.expectedBodiesReceived("hello, not json".getBytes(StandardCharsets.UTF_8),
                "{\"op\":\"c\",\"after\":{\"id\":1,\"name\":".getBytes(StandardCharsets.UTF_8),
                "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        deadLetterTopic.expectedHeaderValuesReceivedInAnyOrder(DeadLetterHeaders.SOURCE_OFFSET, "9", "10", "11");
        send(TOPIC, 1, 9, "k", "hello, not json");
        send(TOPIC, 1, 10, "k", "{\"op\":\"c\",\"after\":{\"id\":1,\"name\":");
        send(TOPIC, 1, 11, "k", "[1,2,3]");
        send(TOPIC, 1, 12, "Struct{id=23}", resource("seed-snapshot.json"));

        String deadLetters = output(OutputFormat.DEAD_LETTER_FILE);
        assertThat(deadLetters.lines()).hasSize(3);
        assertThat(deadLetters.lines().toList().get(0))
                .startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 1, Offset: 9 ] reason: JsonParseException: Unrecognized token 'hello'")
                .endsWith("| value: \"hello, not json\"");
        assertThat(deadLetters.lines().toList().get(1)).contains("Offset: 10 ]").contains("end-of-input");
        assertThat(deadLetters.lines().toList().get(2)).contains("Offset: 11 ]").contains("a JSON array");
        assertThat(output(TOPIC + ".log")).startsWith("Message on [ Topic: postgres.debezium.product , Partition: 1, Offset: 12 ] {");
        deadLetterTopic.assertIsSatisfied();
        assertThat(deadLetterTopic.getExchanges().get(0).getMessage().getHeader(DeadLetterHeaders.REASON, String.class))
                .startsWith("JsonParseException: Unrecognized token 'hello'");
    }

    /** Issue 31: dead letters were sent before the batch's files were written, so a retried batch sent them again. */
    @Test
    void shouldSendEachDeadLetterOnceWhenItsBatchIsRetried() throws Exception {
        MockEndpoint deadLetterTopic = getMockEndpoint("mock:dead-letter-topic");
        Path file = outputDir.resolve(TOPIC + ".log");
        Files.createDirectory(file); // the batch's append fails: it is rolled back, and Kafka delivers it again
        Exchange[] records = {record(TOPIC, 1, 9, "k", "hello, not json"), record(TOPIC, 1, 10, "Struct{id=23}", resource("seed-snapshot.json"))};
        try {
            batch(records);
        } catch (org.apache.camel.CamelExecutionException failed) {
            // the batch failed, as the consumer sees it
        }
        assertThat(positions.isNew(TOPIC, 1, 9)).isTrue();
        assertThat(deadLetterTopic.getReceivedExchanges()).as("not sent: its batch is not written").isEmpty();

        Files.delete(file);
        batch(record(TOPIC, 1, 9, "k", "hello, not json"), record(TOPIC, 1, 10, "Struct{id=23}", resource("seed-snapshot.json")));

        assertThat(deadLetterTopic.getReceivedExchanges()).hasSize(1);
        assertThat(deadLetterTopic.getReceivedExchanges().get(0).getMessage().getHeader(DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("9");
        assertThat(output(OutputFormat.DEAD_LETTER_FILE).lines()).hasSize(1);
    }

    /**
     * A dead letter journaled with its batch whose send failed (or that a crash stopped) is sent when
     * its record comes again, as after a restart, and once sent it is never sent again.
     */
    @Test
    void shouldSendADeadLetterJournaledButNotSentWhenItsRecordComesAgainAndNeverAfter() throws Exception {
        MockEndpoint deadLetterTopic = getMockEndpoint("mock:dead-letter-topic");
        deadLetterTopic.whenExchangeReceived(1, e -> {
            throw new java.io.IOException("the dead-letter topic's brokers are down");
        });
        try {
            batch(record(TOPIC, 1, 9, "k", "hello, not json"), record(TOPIC, 1, 10, "Struct{id=23}", resource("seed-snapshot.json")));
        } catch (org.apache.camel.CamelExecutionException failed) {
            // the batch failed after its journal record: it is written, its dead letter owed
        }
        assertThat(positions.isNew(TOPIC, 1, 10)).as("the batch is journaled").isFalse();
        assertThat(positions.owedDeadLetter(TOPIC, 1, 9)).startsWith("JsonParseException");

        // Kafka delivers the batch again (its offsets were not committed), with a new record
        batch(record(TOPIC, 1, 9, "k", "hello, not json"), record(TOPIC, 1, 10, "Struct{id=23}", resource("seed-snapshot.json")),
                record(TOPIC, 1, 11, "k", "[1,2,3]"));
        // and again, as after a restart before the commit reached Kafka
        batch(record(TOPIC, 1, 9, "k", "hello, not json"), record(TOPIC, 1, 10, "Struct{id=23}", resource("seed-snapshot.json")),
                record(TOPIC, 1, 11, "k", "[1,2,3]"));

        List<Exchange> received = deadLetterTopic.getReceivedExchanges();
        assertThat(received.stream().map(e -> e.getMessage().getHeader(DeadLetterHeaders.SOURCE_OFFSET, String.class)))
                .as("the failed send, the owed one sent once, the new one once").containsExactly("9", "9", "11");
        assertThat(received.get(1).getMessage().getBody(byte[].class)).isEqualTo("hello, not json".getBytes(StandardCharsets.UTF_8));
        assertThat(received.get(1).getMessage().getHeader(DeadLetterHeaders.REASON, String.class)).startsWith("JsonParseException");
        assertThat(positions.owedDeadLetter(TOPIC, 1, 9)).isNull();
        assertThat(output(OutputFormat.DEAD_LETTER_FILE).lines()).as("each printed once").hasSize(2);
    }

    @Test
    void shouldPrintTheSchemaPayloadEnvelopeAsItsPayload() throws Exception {
        send(TOPIC, 0, 0, "Struct{id=23}", "{\"schema\":{\"type\":\"struct\",\"optional\":false},\"payload\":"
                + resource("seed-snapshot.json") + "}");

        assertThat(output(TOPIC + ".log")).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldNotWriteARedeliveredRecordTwice() throws Exception {
        send(TOPIC, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));
        send(TOPIC, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));
        send(TOPIC, 0, 1, "k", "not json");
        send(TOPIC, 0, 1, "k", "not json");

        assertThat(output(TOPIC + ".log")).isEqualTo(resource("seed-snapshot.golden.txt"));
        assertThat(output(OutputFormat.DEAD_LETTER_FILE).lines()).hasSize(1);
        assertThat(positions.skippedCount()).isEqualTo(2);
    }

    /** What the route committed: each commit object records its own offset when called. */
    private record Commit(List<String> log, int partition, long offset) implements KafkaManualCommit {
        @Override
        public void commit() {
            log.add(partition + "@" + offset);
        }
    }

    @Test
    void shouldSyncOnceAndCommitTheNewestOffsetOfEachPartitionOnceTheBatchIsWritten() throws Exception {
        List<String> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        long syncsBefore = durableCommits.syncCount();
        String event = resource("seed-snapshot.json");

        batch(record(TOPIC, 0, 0, "k", event, new Commit(commits, 0, 0)),
                record(TOPIC, 1, 0, "k", "not json", new Commit(commits, 1, 0)),
                record(TOPIC, 0, 1, "k", event.replace("23700112", "23700113"), new Commit(commits, 0, 1)),
                record(TOPIC, 2, 7, "k", event.replace("23700112", "23700114"), new Commit(commits, 2, 7)));

        // one sync for the batch (two files), then the newest offset of each partition (a dead letter counts)
        assertThat(durableCommits.syncCount()).isEqualTo(syncsBefore + 1);
        assertThat(commits).containsExactly("0@1", "1@0", "2@7");
        assertThat(output(TOPIC + ".log").lines().filter(l -> l.startsWith("Message on")))
                .containsExactly("Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 0 ] {",
                        "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 1 ] {",
                        "Message on [ Topic: postgres.debezium.product , Partition: 2, Offset: 7 ] {");
        assertThat(output(OutputFormat.DEAD_LETTER_FILE)).startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 1, Offset: 0 ]");
    }

    @Test
    void shouldWriteARetriedBatchOnlyFromWhereItsWritingStopped() throws Exception {
        String event = resource("seed-snapshot.json");
        String second = event.replace("23700112", "23700113");
        String third = event.replace("23700112", "23700114");
        batch(record(TOPIC, 0, 0, "k", event), record(TOPIC, 0, 1, "k", second));

        // the same records again (the batch was fetched again after a failure), and a new one
        batch(record(TOPIC, 0, 0, "k", event), record(TOPIC, 0, 1, "k", second), record(TOPIC, 0, 2, "k", third));

        assertThat(output(TOPIC + ".log").lines().filter(l -> l.startsWith("Message on")).map(l -> l.replaceAll(".*Offset: (\\d+) .*", "$1")))
                .containsExactly("0", "1", "2");
        assertThat(positions.skippedCount()).isEqualTo(2);
    }

    @Test
    void shouldPrintIdenticalEventsAtDistinctOffsetsInOneBatch() throws Exception {
        // rows of a keyless table, or of a snapshot, share source.lsn and txId and may share every
        // byte: two such records are two changes, and the count of snapshot events says so
        String event = resource("seed-snapshot.json");
        long snapshotBefore = durableCommits.snapshotEventCount();

        batch(record(TOPIC, 0, 0, "Struct{id=23}", event), record(TOPIC, 0, 1, "Struct{id=23}", event));

        String golden = resource("seed-snapshot.golden.txt");
        assertThat(output(TOPIC + ".log")).isEqualTo(golden + golden.replace("Offset: 0 ]", "Offset: 1 ]"));
        assertThat(durableCommits.snapshotEventCount()).isEqualTo(snapshotBefore + 2);
    }

    @Test
    void shouldKeepEachPartitionsEntriesInOffsetOrderAcrossFiles() throws Exception {
        // a dead letter between two events: three appends, in record order, so that after a crash the
        // highest offset found in the files never passes a record that was not written
        MockEndpoint printed = getMockEndpoint("mock:printed");
        printed.expectedMessageCount(1);
        String event = resource("seed-snapshot.json");

        batch(record(TOPIC, 0, 0, "k", event), record(TOPIC, 0, 1, "k", "{"),
                record(TOPIC, 0, 2, "k", event.replace("23700112", "23700113")));

        printed.assertIsSatisfied();
        PrintedBatch written = ChangeEventBatch.of(printed.getExchanges().get(0)).printed();
        assertThat(written.outputs()).extracting(PrintedBatch.Output::fileName)
                .containsExactly(TOPIC + ".log", OutputFormat.DEAD_LETTER_FILE, TOPIC + ".log");
        assertThat(written.printed()).contains("Offset: 0 ]").contains("Offset: 2 ]").doesNotContain("Dead letter");
        assertThat(written.deadLetterLines()).startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 0, Offset: 1 ]");
        assertThat(positions.highest(TOPIC, 0)).isEqualTo(2L);
    }

    @Test
    void shouldPrintIdenticalEventsAtDistinctOffsetsAcrossBatches() throws Exception {
        String event = resource("seed-snapshot.json");
        String update = event.replace("\"op\":\"r\"", "\"op\":\"u\"");
        send(TOPIC, 0, 0, "Struct{id=23}", event);
        send(TOPIC, 0, 1, "Struct{id=23}", update);
        // the same content again at new offsets: only Kafka's position tells records apart, so
        // these are printed too (re-sends are kept out by exactly-once upstream, not guessed here)
        send(TOPIC, 0, 2, "Struct{id=23}", event);
        send(TOPIC, 0, 3, "Struct{id=23}", update);
        // a record at an offset the output already holds is the one thing skipped
        send(TOPIC, 0, 3, "Struct{id=23}", update);

        assertThat(output(TOPIC + ".log").lines().filter(l -> l.startsWith("Message on")))
                .containsExactly("Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 0 ] {",
                        "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 1 ] {",
                        "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 2 ] {",
                        "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 3 ] {");
        assertThat(positions.skippedCount()).isEqualTo(1);
    }

    @Test
    void shouldNameTheFileAfterTheLongestTopicNameKafkaAllows() throws Exception {
        String longest = "t".repeat(249);
        send(longest, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));

        assertThat(output(longest + ".log")).startsWith("Message on [ Topic: " + longest + " , Partition: 0, Offset: 0 ] {");
    }

    @Test
    void shouldWriteOneFilePerTopic() throws Exception {
        send("postgres.debezium.order", 0, 5, "Struct{id=1}", "{\"op\":\"c\",\"after\":{\"id\":1}}");
        send(TOPIC, 0, 0, "Struct{id=23}", resource("seed-snapshot.json"));

        assertThat(output("postgres.debezium.order.log"))
                .isEqualTo("Message on [ Topic: postgres.debezium.order , Partition: 0, Offset: 5 ] {\n"
                        + "\t\"after\": {\n\t\t\"id\": 1\n\t},\n\t\"op\": \"c\"\n}\n");
        assertThat(output(TOPIC + ".log")).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldLogEveryEntryOfABatchHoweverLong() throws Exception {
        String event = resource("seed-snapshot.json");
        Exchange[] records = new Exchange[40];
        for (int i = 0; i < records.length; i++) {
            records[i] = record(TOPIC, 0, i, "k", event.replace("23700112", Integer.toString(23700112 + i)));
        }

        batch(records);

        // the route's example step logs each batch's size at DEBUG, which this logger records too
        String log = String.join("", logged.messages.stream().filter(m -> !m.endsWith(" new record(s) in this batch")).toList());
        assertThat(log.length()).isGreaterThan(10_000); // the log endpoint's default cut
        assertThat(log).isEqualTo(output(TOPIC + ".log"));
        assertThat(log.lines().filter(l -> l.startsWith("Message on"))).hasSize(40);
    }

    /**
     * Fetches as camel-kafka does with {@code breakOnFirstError}: the records from each partition's
     * committed offset on, in one batch, and again after each failed exchange, until one succeeds.
     *
     * @return the fetches it took
     */
    private int fetchUntilWritten(List<String> commits, java.util.function.Supplier<Exchange[]> records, int most) {
        for (int fetch = 1; fetch <= most; fetch++) {
            Map<Integer, Long> committed = new java.util.HashMap<>();
            for (String c : commits) {
                String[] at = c.split("@");
                committed.merge(Integer.parseInt(at[0]), Long.parseLong(at[1]), Math::max);
            }
            Exchange[] fetched = java.util.Arrays.stream(records.get())
                    .filter(r -> r.getMessage().getHeader(KafkaConstants.OFFSET, Long.class)
                            > committed.getOrDefault(r.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class), -1L))
                    .toArray(Exchange[]::new);
            try {
                batch(fetched);
                return fetch;
            } catch (org.apache.camel.CamelExecutionException e) {
                // failed, or a part written and the rest held back (StepFailures.HeldBack): fetched again
            }
        }
        throw new AssertionError("not written after " + most + " fetches");
    }

    /**
     * Replaces the test that held "whatever the steps do to the body, every record is written"
     * (issue 33: the body is now the output). Steps that drop every header, replace the body with
     * something that is no list of change events and go on in another thread: the batch fails (the
     * write step says what the steps left), is fetched again, and after {@value StepFailures#ATTEMPTS}
     * attempts the route tries its records a part at a time: the event alone fails too, and goes to
     * the dead letters with that reason; a batch left with no event is written as read (its tombstone
     * and bad record as before), and every record's offset is committed.
     */
    @Test
    @org.junit.jupiter.api.Tag("user-steps-that-go-wrong")
    void shouldRetryABatchTheStepsSpoilThenDeadLetterEachRecordTheyFailOnAloneAndCommitEveryRecord() throws Exception {
        List<String> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        String event = resource("seed-snapshot.json");
        java.util.function.Supplier<Exchange[]> records = () -> new Exchange[] {
                record(TOPIC, 0, 0, "Struct{id=23}", event, new Commit(commits, 0, 0)),
                record(TOPIC, 1, 4, "Struct{id=24}", null, new Commit(commits, 1, 4)),
                record(TOPIC, 2, 9, "k", "not json", new Commit(commits, 2, 9))};

        for (int attempt = 1; attempt <= StepFailures.ATTEMPTS; attempt++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> batch(records.get()))
                    .isInstanceOf(org.apache.camel.CamelExecutionException.class)
                    .hasRootCauseMessage("the steps before direct:write-change-events left a java.lang.String: the write step writes "
                            + "the read step's list of change events, or a JSON array of them (each with its \"kafka\" position, as the "
                            + "list converted to JSON has it); to write nothing of a batch, leave an empty array");
            assertThat(commits).as("attempt %d: nothing committed", attempt).isEmpty();
        }
        int fetches = fetchUntilWritten(commits, records, 40);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> commits.size() >= 3);
        assertThat(commits).containsExactlyInAnyOrder("0@0", "1@4", "2@9");
        // a batch left with no change event is written as read, whatever the body: its tombstone and bad record as before
        assertThat(output(TOPIC + ".log")).isEqualTo(
                "Message on [ Topic: postgres.debezium.product , Partition: 1, Offset: 4 ] tombstone (null value) for key Struct{id=24}\n");
        List<String> deadLetters = output(OutputFormat.DEAD_LETTER_FILE).lines().toList();
        assertThat(deadLetters).hasSize(2);
        assertThat(deadLetters.get(0)).startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 0, Offset: 0 ] "
                + "reason: the route's steps failed on this record: its batch 3 times and the record alone 3 times: "
                + "StepOutputException: the steps before direct:write-change-events left a java.lang.String");
        assertThat(deadLetters.get(1)).contains("Offset: 9 ]").contains("| value: \"not json\"");
        assertThat(getMockEndpoint("mock:dead-letter-topic").getReceivedExchanges()).hasSize(2);
        StepFailures steps = context.getRegistry().findSingleByType(StepFailures.class);
        assertThat(steps.deadLetters()).isEqualTo(1);
        assertThat(steps.failing()).as("nothing left failing: health route-steps UP again").isZero();
        assertThat(fetches).as("the event tried alone %d times, then the rest", StepFailures.ATTEMPTS).isEqualTo(StepFailures.ATTEMPTS + 1);
    }

    /** A step that throws: the same, with the step's own error as the dead letter's reason. */
    @Test
    @org.junit.jupiter.api.Tag("user-step-that-throws")
    void shouldDeadLetterTheEventAStepThrowsOnAfterItsAttempts() throws Exception {
        List<String> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        String event = resource("seed-snapshot.json");
        for (int attempt = 1; attempt <= StepFailures.ATTEMPTS; attempt++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> batch(record(TOPIC, 0, 5, "k", event, new Commit(commits, 0, 5))))
                    .hasRootCauseMessage("a step's bug");
        }
        assertThat(positions.isNew(TOPIC, 0, 5)).isTrue();
        HealthCheck.Result health = stepsHealth();
        assertThat(health.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health.getMessage().orElse("")).contains("1 record(s) not written yet").contains("IllegalStateException: a step's bug");

        int fetches = fetchUntilWritten(commits, () -> new Exchange[] {record(TOPIC, 0, 5, "k", event, new Commit(commits, 0, 5))}, 10);

        assertThat(fetches).as("alone, %d times, then a dead letter", StepFailures.ATTEMPTS).isEqualTo(StepFailures.ATTEMPTS + 1);
        assertThat(commits).containsExactly("0@5");
        assertThat(output(OutputFormat.DEAD_LETTER_FILE)).startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 0, Offset: 5 ] "
                + "reason: the route's steps failed on this record: its batch 3 times and the record alone 3 times: "
                + "IllegalStateException: a step's bug");
        assertThat(outputDir.resolve(TOPIC + ".log")).doesNotExist();
        Exchange sent = getMockEndpoint("mock:dead-letter-topic").getReceivedExchanges().get(0);
        assertThat(sent.getMessage().getBody(byte[].class)).isEqualTo(event.getBytes(StandardCharsets.UTF_8));
        assertThat(stepsHealth().getState()).isEqualTo(HealthCheck.State.UP);
    }

    /**
     * One record of a batch that a step fails on: after the batch's attempts the route looks for it a
     * part at a time (the parts the steps pass written and committed, the rest held back and fetched
     * again), and only that record goes to the dead letters; every other record, of both partitions,
     * is written once, in offset order, and every offset is committed.
     */
    @Test
    @org.junit.jupiter.api.Tag("user-step-that-throws-on-one-record")
    void shouldDeadLetterOnlyTheRecordAStepThrowsOnAndWriteTheRestOfItsBatch() throws Exception {
        List<String> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        String event = resource("seed-snapshot.json");
        java.util.function.Supplier<Exchange[]> records = () -> {
            List<Exchange> poll = new java.util.ArrayList<>();
            for (int offset = 0; offset < 10; offset++) {
                poll.add(record(TOPIC, 0, offset, "Struct{id=" + offset + "}", event, new Commit(commits, 0, offset)));
            }
            for (int offset = 0; offset < 5; offset++) {
                poll.add(record(TOPIC, 1, offset, "Struct{id=" + (100 + offset) + "}", offset == 2 ? null : offset == 3 ? "not json" : event,
                        new Commit(commits, 1, offset)));
            }
            return poll.toArray(Exchange[]::new);
        };

        int fetches = fetchUntilWritten(commits, records, 30);

        assertThat(fetches).as("3 attempts, the search (half at a time), the record alone 3 times, then the rest").isLessThanOrEqualTo(14);
        Map<Integer, Long> newest = new java.util.HashMap<>();
        commits.forEach(c -> newest.merge(Integer.parseInt(c.split("@")[0]), Long.parseLong(c.split("@")[1]), Math::max));
        assertThat(newest).containsEntry(0, 9L).containsEntry(1, 4L);
        List<String> printed = output(TOPIC + ".log").lines().toList();
        List<String> headers = printed.stream().map(line -> line.substring(0, line.indexOf(']') + 1)).toList();
        List<String> expected = new java.util.ArrayList<>();
        for (int offset = 0; offset < 10; offset++) {
            if (offset != 6) {
                expected.add("Message on [ Topic: " + TOPIC + " , Partition: 0, Offset: " + offset + " ]");
            }
        }
        for (int offset : new int[] {0, 1, 2, 4}) {
            expected.add("Message on [ Topic: " + TOPIC + " , Partition: 1, Offset: " + offset + " ]");
        }
        assertThat(headers.stream().filter(h -> h.contains("Partition: 0")).toList())
                .as("partition 0 once each, in offset order, but for the record the step throws on")
                .containsExactlyElementsOf(expected.subList(0, 9));
        assertThat(headers.stream().filter(h -> h.contains("Partition: 1")).toList()).containsExactlyElementsOf(expected.subList(9, 13));
        List<String> deadLetters = output(OutputFormat.DEAD_LETTER_FILE).lines().toList();
        assertThat(deadLetters).hasSize(2);
        assertThat(deadLetters).anySatisfy(line -> assertThat(line)
                .startsWith("Dead letter on [ Topic: postgres.debezium.product , Partition: 0, Offset: 6 ] reason: the route's steps "
                        + "failed on this record: its batch 3 times and the record alone 3 times: IllegalStateException: record 0@6"));
        assertThat(deadLetters).anySatisfy(line -> assertThat(line).contains("Partition: 1, Offset: 3 ]").contains("JsonParseException"));
        StepFailures steps = context.getRegistry().findSingleByType(StepFailures.class);
        assertThat(steps.deadLetters()).isEqualTo(1);
        assertThat(steps.failing()).isZero();
        assertThat(steps.suspects()).isZero();
    }

    private HealthCheck.Result stepsHealth() {
        return org.apache.camel.health.HealthCheckHelper.invoke(context).stream()
                .filter(r -> r.getCheck().getId().equals("route-steps")).findFirst().orElseThrow();
    }

    @Test
    void shouldServeCamelsDevConsolesWithoutTheOneThatListensToEveryExchange() {
        org.apache.camel.console.DevConsoleRegistry consoles =
                context.getCamelContextExtension().getContextPlugin(org.apache.camel.console.DevConsoleRegistry.class);

        assertThat(consoles.stream().map(org.apache.camel.console.DevConsole::getId)).contains("route", "consumer").doesNotContain("event");
        assertThat(context.getManagementStrategy().getEventNotifiers())
                .noneMatch(n -> n.getClass().getName().startsWith("org.apache.camel.impl.console.EventConsole"));
    }
}
