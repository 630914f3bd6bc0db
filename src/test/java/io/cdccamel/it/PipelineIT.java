package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.events.ExactJson;
import io.cdccamel.it.OutputEntries.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end on the real embedded stack: PostgreSQL -> Debezium in Connect -> 3 Kafka brokers ->
 * the application's routes -> the per-topic output file.
 */
@ExtendWith(EmbeddedStackExtension.class)
class PipelineIT {

    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private TestApp start(String schema, String connector, String instance) throws Exception {
        return apps.start(schema, connector, instance);
    }

    private static JsonNode getJson(String path) throws Exception {
        return AppsUnderTest.connect(path);
    }

    private static List<Entry> entries(TestApp app) {
        return OutputEntries.read(app.outputFile());
    }

    private static List<Entry> entriesForId(TestApp app, int id) {
        return entries(app).stream()
                .filter(e -> e.isTombstone() ? e.text().contains("Struct{id=" + id + "}") : e.row().path("id").asInt() == id)
                .toList();
    }

    /** Every record of the topic, by partition and offset, read with a plain consumer. */
    private static Map<String, String> recordsByPosition(String topic) {
        Map<String, String> records = new HashMap<>();
        TopicInserts.readToEnd(topic).forEach(r -> records.put(r.partition() + "/" + r.offset(), r.value()));
        return records;
    }

    @Test
    void shouldPrintInsertUpdateAndDeleteWithTheirOpValuesAndKafkaPosition() throws Exception {
        Db.createProductTable("it_crud", "(1, 'snapshot row')");
        TestApp app = start("it_crud", "crud_connector", "crud");

        await().atMost(EVENT_TIMEOUT).until(() -> entriesForId(app, 1).size() == 1);
        Entry snapshot = entriesForId(app, 1).get(0);
        assertThat(snapshot.op()).isEqualTo("r");
        assertThat(snapshot.json().path("after").path("name").asText()).isEqualTo("snapshot row");

        Db.exec("INSERT INTO it_crud.product VALUES (2, 'new <b>&</b>')",
                "UPDATE it_crud.product SET name = 'renamed' WHERE id = 2",
                "DELETE FROM it_crud.product WHERE id = 2");

        await().atMost(EVENT_TIMEOUT).until(() -> entriesForId(app, 2).size() == 4);
        List<Entry> events = entriesForId(app, 2);
        assertThat(events).extracting(Entry::op).containsExactly("c", "u", "d", null);

        Entry insert = events.get(0);
        assertThat(insert.json().get("before").isNull()).isTrue();
        assertThat(insert.json().path("after").path("name").asText()).isEqualTo("new <b>&</b>");
        assertThat(insert.text()).contains("\"name\": \"new <b>&</b>\"");
        Entry update = events.get(1);
        assertThat(update.json().path("before").path("name").asText()).isEqualTo("new <b>&</b>");
        assertThat(update.json().path("after").path("name").asText()).isEqualTo("renamed");
        Entry delete = events.get(2);
        assertThat(delete.json().path("before").path("name").asText()).isEqualTo("renamed");
        assertThat(delete.json().get("after").isNull()).isTrue();
        assertThat(events.get(3).text()).isEqualTo("tombstone (null value) for key Struct{id=2}\n");

        // one key, one partition, increasing offsets (not always consecutive: Connect writes each poll of
        // Debezium's in a transaction, and a transaction's commit marker takes an offset of its own)
        assertThat(events).extracting(Entry::partition).containsOnly(insert.partition());
        assertThat(events).extracting(Entry::offset).isSorted().doesNotHaveDuplicates();
        // each header names the topic, partition and offset where Kafka holds that very record
        Map<String, String> records = recordsByPosition(app.topic());
        for (Entry e : entries(app)) {
            assertThat(e.topic()).isEqualTo("postgres.it_crud.product");
            String value = records.get(e.partition() + "/" + e.offset());
            if (e.isTombstone()) {
                assertThat(value).isNull();
                assertThat(records).containsKey(e.partition() + "/" + e.offset());
            } else {
                assertThat(MAPPER.readTree(value)).isEqualTo(e.json());
            }
        }
        assertThat(records).hasSize(entries(app).size());
    }

    @Test
    void shouldRegisterTheConnectorExactlyOnceWhenTheRouteRunsTwice() throws Exception {
        Db.createProductTable("it_once", "(1, 'only row')");
        TestApp first = start("it_once", "once_connector", "once-a");
        TestApp second = start("it_once", "once_connector", "once-b");

        await().atMost(EVENT_TIMEOUT).until(() -> first.registration().state() == ConnectorRegistration.State.RUNNING
                && second.registration().state() == ConnectorRegistration.State.RUNNING);
        // Connect's POST is not atomic: the apps agree through Kafka first, so exactly one posts
        assertThat(first.registration().createdCount() + second.registration().createdCount()).isEqualTo(1);
        JsonNode all = getJson("/connectors");
        assertThat(all.toString().split("\"once_connector\"", -1)).hasSize(2);
        assertThat(getJson("/connectors/once_connector/status").path("tasks")).hasSize(1);

        // both apps print the single snapshot event once: one connector, one snapshot
        await().atMost(EVENT_TIMEOUT).until(() -> entries(first).size() == 1 && entries(second).size() == 1);
        assertThat(entries(first).get(0).op()).isEqualTo("r");
        assertThat(entries(second).get(0).offset()).isEqualTo(entries(first).get(0).offset());

        // a restarted app finds the connector and does not post it again
        apps.stop(first);
        TestApp restarted = start("it_once", "once_connector", "once-c");
        await().atMost(EVENT_TIMEOUT).until(() -> restarted.registration().state() == ConnectorRegistration.State.RUNNING);
        assertThat(restarted.registration().createdCount()).isZero();
    }

    @Test
    void shouldApplyAnEditedYamlRouteWithoutARestart() throws Exception {
        Db.createProductTable("it_reload", "(1, 'before the edit')");
        TestApp app = start("it_reload", "reload_connector", "reload");
        await().atMost(EVENT_TIMEOUT).until(() -> entries(app).size() == 1);
        Object routeBefore = app.camel().getRoute("print-change-events");

        Path yaml = app.routesDir.resolve("print-change-events.camel.yaml");
        String route = Files.readString(yaml);
        // the edit, where the file says the user's steps go: each insert also gets a line in inserts.txt
        String endOfSteps = "        # ---- end of your steps";
        assertThat(route).contains(endOfSteps);
        Files.writeString(yaml, route.replace(endOfSteps,
                "        - split:\n"
                + "            expression:\n"
                + "              simple:\n"
                + "                expression: \"${body}\"\n"
                + "            steps:\n"
                + "              - filter:\n"
                + "                  expression:\n"
                + "                    simple:\n"
                + "                      expression: \"${header.CamelDebeziumOperation} == 'c'\"\n"
                + "                  steps:\n"
                + "                    - setBody:\n"
                + "                        expression:\n"
                + "                          simple:\n"
                + "                            expression: \"insert at offset ${header.kafka.OFFSET} of ${header.CamelDebeziumIdentifier}\\n\"\n"
                + "                    - to:\n"
                + "                        uri: \"file:{{cdc.output.dir}}?fileName=inserts.txt&fileExist=Append\"\n"
                + endOfSteps));

        await().atMost(Duration.ofSeconds(60))
                .until(() -> app.camel().getRoute("print-change-events") != null
                        && app.camel().getRoute("print-change-events") != routeBefore);
        assertThat(app.camel().getRoute("register-connector")).as("Java routes survive a YAML reload").isNotNull();

        Db.exec("INSERT INTO it_reload.product VALUES (2, 'after the edit')");
        await().atMost(EVENT_TIMEOUT).until(() -> entries(app).size() == 2);
        Entry edited = entries(app).get(1);
        assertThat(edited.json().path("after").path("name").asText()).isEqualTo("after the edit");
        Path inserts = app.outputDir.resolve("inserts.txt");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(inserts));
        assertThat(Files.readAllLines(inserts)).containsExactly(
                "insert at offset " + edited.offset() + " of " + app.topic());
    }
}
