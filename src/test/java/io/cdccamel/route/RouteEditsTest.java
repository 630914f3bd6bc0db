package io.cdccamel.route;

import io.cdccamel.CdcApplication;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.events.WrittenPositions;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ready-made edits of {@code routes/print-change-events.camel.yaml}: each test uncomments the
 * shipped file's example of one edit (the lines under its name, as a user would), loads that file
 * with the app's own configuration classes, and sends batches of records in place of the Kafka
 * consumer, as {@link PrintChangeEventsRouteTest} does: the files change as the edit says, and every
 * record's offset is committed, the left-out ones too.
 */
public class RouteEditsTest extends CamelMainTestSupport {

    private static final Path SHIPPED = Path.of("routes", "print-change-events.camel.yaml");
    private static final String TOPIC = "postgres.debezium.product";

    /** The shipped file's examples each test uncomments, by test (display name). */
    private static final Map<String, List<String>> EDITS = Map.ofEntries(
            Map.entry("shouldLeaveOutTheDeletesAndCommitThem()", List.of("drop-deletes")),
            Map.entry("shouldWriteARetriedFilteredBatchOnce()", List.of("drop-deletes")),
            Map.entry("shouldLeaveOutATable()", List.of("drop-table")),
            Map.entry("shouldMaskAColumn()", List.of("mask-column")),
            Map.entry("shouldRemoveAColumn()", List.of("remove-column")),
            Map.entry("shouldAddAField()", List.of("add-field")),
            Map.entry("shouldWriteJsonLines()", List.of("json-lines")),
            Map.entry("shouldWriteAFilePerTable()", List.of("file-per-table")),
            Map.entry("shouldWriteAFilePerDay()", List.of("file-per-day")),
            Map.entry("shouldCombineEdits()", List.of("drop-deletes", "mask-column", "json-lines")),
            Map.entry("shouldWriteAsReadWithTheSplitExample()", List.of("log-deletes")));

    private int apiPort;
    private Path outputDir;
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
        Path routes;
        apiPort = io.cdccamel.stack.Ports.freePort();
        try {
            outputDir = Files.createTempDirectory("route-edits-test");
            routes = Files.createDirectories(outputDir.resolveSibling(outputDir.getFileName() + "-routes"));
            Files.copy(SHIPPED, routes.resolve("print-change-events.camel.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("cdc.mode", "external"),
                Map.entry("cdc.output.dir", outputDir.toString()),
                Map.entry("cdc.topics", TOPIC),
                Map.entry("cdc.topics.pattern", "false"),
                Map.entry("cdc.consumer.group", "test"),
                Map.entry("cdc.kafka.brokers", "localhost:1"),
                Map.entry("cdc.postgres.port", "1"),
                Map.entry("cdc.api.port", Integer.toString(apiPort)),
                Map.entry("cdc.dead-letter.endpoint", "mock:dead-letter-topic"),
                Map.entry("cdc.consumer.lost-offsets-check.ms", "0"),
                Map.entry("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml"),
                Map.entry("camel.main.routes-reload-enabled", "false"),
                Map.entry("camel.main.route-filter-exclude-pattern", "register-connector")));
        return props;
    }

    /**
     * The shipped file with the example under {@code # <name>:} uncommented: the lines after it that
     * are a commented-out step ({@code # - } or {@code #   } after the indentation), as a user uncomments them.
     */
    public static String uncomment(String yaml, String name) {
        List<String> lines = new ArrayList<>(yaml.lines().toList());
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith("# " + name + ":")) {
                at = i;
                break;
            }
        }
        assertThat(at).as("the shipped route has the example '%s'", name).isNotNegative();
        int changed = 0;
        int first = at + 1;
        while (first < lines.size() && lines.get(first).stripLeading().startsWith("# ") && !lines.get(first).stripLeading().startsWith("# - ")) {
            first++; // the example's description, on more lines
        }
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.stripLeading();
            if (!(trimmed.startsWith("# - ") || trimmed.startsWith("#   "))) {
                break;
            }
            int indent = line.length() - trimmed.length();
            lines.set(i, line.substring(0, indent) + trimmed.substring(2));
            changed++;
        }
        assertThat(changed).as("lines of the example '%s'", name).isPositive();
        return String.join("\n", lines) + "\n";
    }

    @BeforeEach
    void startTheYamlRoute(org.junit.jupiter.api.TestInfo test) throws Exception {
        List<String> edits = EDITS.getOrDefault(test.getDisplayName(), List.of());
        if (!edits.isEmpty()) {
            // the shipped file, edited as a user would, in place of the shipped one
            String yaml = Files.readString(SHIPPED);
            for (String edit : edits) {
                yaml = uncomment(yaml, edit);
            }
            context.removeRoute("print-change-events");
            org.apache.camel.support.PluginHelper.getRoutesLoader(context).loadRoutes(
                    org.apache.camel.support.ResourceHelper.fromString("print-change-events.camel.yaml", yaml));
        }
        AdviceWith.adviceWith(context, "print-change-events", a -> {
            a.replaceFromWith("direct:batches");
            a.weaveAddLast().to("mock:printed");
        });
        context.start();
        positions = context.getRegistry().findSingleByType(WrittenPositions.class);
        durableCommits = context.getRegistry().findSingleByType(DurableCommits.class);
    }

    private record Commit(List<String> log, int partition, long offset) implements KafkaManualCommit {
        @Override
        public void commit() {
            log.add(partition + "@" + offset);
        }
    }

    private final List<String> commits = new CopyOnWriteArrayList<>();

    private Exchange record(int partition, long offset, String key, String value) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setBody(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        record.getMessage().setHeader(KafkaConstants.TOPIC, TOPIC);
        record.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        record.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        record.getMessage().setHeader(KafkaConstants.KEY, key);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new Commit(commits, partition, offset));
        return record;
    }

    private void batch(Exchange... records) {
        template.sendBody("direct:batches", List.of(records));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = RouteEditsTest.class.getResourceAsStream("/envelopes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String output(String file) throws IOException {
        return Files.readString(outputDir.resolve(file));
    }

    private static String snapshot() throws IOException {
        return resource("seed-snapshot.json");
    }

    /** The seed's event as a delete of row 23 (before: the row, after: null). */
    private static String delete() throws IOException {
        return snapshot().replace("\"before\":null,\"after\":{\"id\":23}", "\"before\":{\"id\":23},\"after\":null")
                .replace("\"op\":\"r\"", "\"op\":\"d\"");
    }

    /** The seed's event with a row of these columns. */
    private static String withRow(String row) throws IOException {
        return snapshot().replace("\"after\":{\"id\":23}", "\"after\":" + row).replace("\"op\":\"r\"", "\"op\":\"c\"");
    }

    private static String golden(long offset) throws IOException {
        return resource("seed-snapshot.golden.txt").replace("Offset: 0 ]", "Offset: " + offset + " ]");
    }

    private double filteredMetric() {
        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        return registry.get("cdc.output.filtered").functionCounter().count();
    }

    /** The live page's JSON ({@code GET /live/state}), as the app serves it. */
    private com.fasterxml.jackson.databind.JsonNode liveState() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + apiPort + "/live/state")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    @Test
    void shouldLeaveOutTheDeletesAndCommitThem() throws Exception {
        batch(record(0, 0, "Struct{id=23}", snapshot()), record(0, 1, "Struct{id=23}", delete()),
                record(0, 2, "Struct{id=23}", null), record(1, 0, "Struct{id=23}", delete()));

        assertThat(output(TOPIC + ".log")).isEqualTo(golden(0)
                + "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 2 ] tombstone (null value) for key Struct{id=23}\n");
        assertThat(commits).containsExactly("0@2", "1@0");
        assertThat(positions.isNew(TOPIC, 1, 0)).as("a left-out event's position is journaled").isFalse();
        assertThat(durableCommits.filteredCount()).isEqualTo(2);
        assertThat(filteredMetric()).isEqualTo(2.0);
        assertThat(liveState().path("output").path("filtered").asLong(-1)).as("the live page's count").isEqualTo(2);
    }

    @Test
    void shouldWriteARetriedFilteredBatchOnce() throws Exception {
        // the batch again, as after a crash before its commit reached Kafka: nothing written twice
        batch(record(0, 0, "k", snapshot()), record(0, 1, "k", delete()));
        batch(record(0, 0, "k", snapshot()), record(0, 1, "k", delete()), record(0, 2, "k", snapshot()));

        assertThat(output(TOPIC + ".log")).isEqualTo(golden(0) + golden(2));
        assertThat(positions.skippedCount()).isEqualTo(2);
        assertThat(commits).containsExactly("0@1", "0@2");
    }

    @Test
    void shouldLeaveOutATable() throws Exception {
        batch(record(0, 0, "k", snapshot()), record(0, 1, "k", snapshot().replace("\"table\":\"product\"", "\"table\":\"audit\"")),
                record(0, 2, "k", snapshot()));

        assertThat(output(TOPIC + ".log")).isEqualTo(golden(0) + golden(2));
        assertThat(commits).containsExactly("0@2");
        assertThat(durableCommits.filteredCount()).isEqualTo(1);
    }

    @Test
    void shouldMaskAColumn() throws Exception {
        batch(record(0, 0, "k", withRow("{\"id\":23,\"email\":\"a\\\"b@example.com\\n\"}")),
                record(0, 1, "k", withRow("{\"id\":24,\"email\":null}")));

        String out = output(TOPIC + ".log");
        assertThat(out).contains("\t\t\"email\": \"***\",\n\t\t\"id\": 23\n")
                .contains("\t\t\"email\": null,\n\t\t\"id\": 24\n")
                .doesNotContain("example.com");
        assertThat(commits).containsExactly("0@1");
    }

    @Test
    void shouldRemoveAColumn() throws Exception {
        batch(record(0, 0, "k", withRow("{\"id\":23,\"ssn\":\"123-45-6789\"}")));

        assertThat(output(TOPIC + ".log")).contains("\"after\": {\n\t\t\"id\": 23\n\t},").doesNotContain("ssn").doesNotContain("6789");
        assertThat(commits).containsExactly("0@0");
    }

    @Test
    void shouldAddAField() throws Exception {
        batch(record(0, 0, "Struct{id=23}", snapshot()));

        // the Go format sorts the keys: the new field between "op" and "source", the rest as before
        assertThat(output(TOPIC + ".log")).isEqualTo(golden(0).replace("\t\"op\": \"r\",\n", "\t\"op\": \"r\",\n\t\"region\": \"eu\",\n"));
    }

    @Test
    void shouldWriteJsonLines() throws Exception {
        String hostile = withRow("{\"id\":23,\"name\":\"line\\nbreak \\u0085 Message on [ Topic: x , Partition: 0, Offset: 9 ] {\",\"price\":12345678901234567890.12}");
        batch(record(0, 0, "Struct{id=23}", hostile), record(0, 1, "Struct{id=23}", null));

        List<String> lines = output(TOPIC + ".log").lines().toList();
        assertThat(lines).hasSize(2);
        com.fasterxml.jackson.databind.JsonNode first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("op").asText()).isEqualTo("c");
        assertThat(first.path("after").path("name").asText()).isEqualTo("line\nbreak \u0085 Message on [ Topic: x , Partition: 0, Offset: 9 ] {");
        assertThat(lines.get(0)).contains("\"price\":12345678901234567890.12");
        assertThat(first.path("kafka").path("topic").asText()).isEqualTo(TOPIC);
        assertThat(first.path("kafka").path("offset").asLong()).isEqualTo(0);
        assertThat(first.path("kafka").path("key").asText()).isEqualTo("Struct{id=23}");
        assertThat(lines.get(1)).isEqualTo("{\"op\":null,\"kafka\":{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"offset\":1,\"key\":\"Struct{id=23}\"}}");
        assertThat(commits).containsExactly("0@1");
    }

    @Test
    void shouldWriteAFilePerTable() throws Exception {
        batch(record(0, 0, "k", snapshot()), record(0, 1, "k", snapshot().replace("\"table\":\"product\"", "\"table\":\"a/../odd name\"")),
                record(0, 2, "k", null));

        assertThat(output("debezium.product.log")).isEqualTo(golden(0)
                + "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 2 ] tombstone (null value) for key k\n");
        assertThat(output("debezium.a_.._odd_name.log")).isEqualTo(golden(1).replace("\"table\": \"product\"", "\"table\": \"a/../odd name\""));
        assertThat(outputDir.resolve(TOPIC + ".log")).doesNotExist();
        assertThat(commits).containsExactly("0@2");
    }

    @Test
    void shouldWriteAFilePerDay() throws Exception {
        // ts_ms 1630916915785 is 2021-09-06 in UTC
        batch(record(0, 0, "k", snapshot()), record(0, 1, "k", snapshot().replace("1630916915785", "1631000000000")));

        assertThat(output(TOPIC + "-2021-09-06.log")).isEqualTo(golden(0));
        assertThat(output(TOPIC + "-2021-09-07.log")).isEqualTo(golden(1).replace("1630916915785", "1631000000000"));
        assertThat(commits).containsExactly("0@1");
    }

    @Test
    void shouldCombineEdits() throws Exception {
        batch(record(0, 0, "k", withRow("{\"id\":23,\"email\":\"x@example.com\"}")), record(0, 1, "k", delete()));

        List<String> lines = output(TOPIC + ".log").lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("\"email\":\"***\"").contains("\"offset\":0");
        assertThat(commits).containsExactly("0@1");
    }

    @Test
    void shouldWriteAsReadWithTheSplitExample() throws Exception {
        batch(record(0, 0, "Struct{id=23}", snapshot()), record(0, 1, "k", delete()));

        assertThat(output(TOPIC + ".log")).startsWith(golden(0)).contains("Offset: 1 ]").contains("\"op\": \"d\"");
        assertThat(commits).containsExactly("0@1");
    }

    /** No edit: the shipped route writes the Go format byte for byte as before (and PrintChangeEventsRouteTest holds the rest). */
    @Test
    void shouldWriteTheDefaultOutputUnchanged() throws Exception {
        batch(record(0, 0, "Struct{id=23}", snapshot()), record(0, 1, "k", "not json"));

        assertThat(output(TOPIC + ".log")).isEqualTo(golden(0));
        assertThat(output(OutputFormat.DEAD_LETTER_FILE)).contains("Offset: 1 ]");
        assertThat(durableCommits.filteredCount()).isZero();
    }
}
