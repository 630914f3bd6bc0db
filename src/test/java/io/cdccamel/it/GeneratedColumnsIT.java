package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tables with generated columns ({@code GENERATED ALWAYS AS (...) STORED}), in every way a row is
 * printed: the first start's snapshot, streaming, a snapshot on demand, the incremental snapshot
 * of a schema the include list gains, and a generated column added while the app runs. PostgreSQL
 * 17's pgoutput does not publish generated columns, so the product leaves them out everywhere;
 * each table's every event must hold exactly its other columns, with their values. Before the fix
 * Debezium's incremental snapshot failed on such a table ("Column 'total' not found in result set
 * ... DBZ-4350"), logged one WARN and never read the tables after it.
 */
@ExtendWith(EmbeddedStackExtension.class)
class GeneratedColumnsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** The columns every event of a film prints (the output sorts them): the generated {@code total} and {@code words} never. */
    private static final List<String> FILM_COLUMNS = List.of("id", "note", "price", "qty", "title");

    private static String[] films(String schema) {
        return new String[] {
            "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
            // generated columns between the others, one of them a tsvector, as real schemas have them
            "CREATE TABLE " + schema + ".film (id int PRIMARY KEY, title text NOT NULL, price numeric(6,2), qty int, "
                    + "total numeric(10,2) GENERATED ALWAYS AS (price * qty) STORED, "
                    + "words tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED, note text)",
            "INSERT INTO " + schema + ".film (id, title, price, qty, note) VALUES (1, 'Academy Dinosaur', 0.99, 3, 'a'), "
                    + "(2, 'Ace Goldfinger', 4.99, 1, NULL), (3, 'Adaptation Holes', 2.99, 7, 'c')",
            // after film alphabetically: read after it in the same snapshot
            "CREATE TABLE " + schema + ".zeta (id int PRIMARY KEY, v text)",
            "INSERT INTO " + schema + ".zeta VALUES (1, 'one'), (2, 'two')"
        };
    }

    private static Map<String, String> capturing(String schemas) {
        return Map.of("cdc.connector.config.schema.include.list", schemas,
                "cdc.connector.config.topic.prefix", "gen",
                "cdc.topics", "",
                // update events carry the whole old row: its columns are checked too
                "cdc.capture.replica-identity-full", "true",
                "cdc.capture.refresh.ms", "1000");
    }

    private static Path file(TestApp app, String table) {
        return app.outputDir.resolve("gen." + table + ".log");
    }

    private static List<String> fields(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every event of the file prints a film's own columns, in order, with the values the table holds. */
    private static void assertFilmsExact(TestApp app, String table) throws Exception {
        List<Entry> entries = OutputEntries.read(file(app, table));
        assertThat(entries).isNotEmpty();
        for (Entry e : entries) {
            if (e.isTombstone()) {
                continue;
            }
            assertThat(fields(e.row())).as("columns of %s at offset %d (%s)", table, e.offset(), e.op())
                    .containsExactlyElementsOf(FILM_COLUMNS);
            if ("u".equals(e.op())) {
                assertThat(fields(e.json().path("before"))).as("old row of %s at offset %d", table, e.offset())
                        .containsExactlyElementsOf(FILM_COLUMNS);
            }
        }
        // the last event of each row prints what the table holds now
        Map<Integer, Entry> last = new java.util.TreeMap<>();
        entries.stream().filter(e -> !e.isTombstone()).forEach(e -> last.put(e.row().path("id").asInt(), e));
        try (var c = Superuser.connect(EmbeddedStackExtension.stack());
             var rs = c.createStatement().executeQuery("SELECT id, title, price::text, qty, note FROM " + table + " ORDER BY id")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                JsonNode row = last.get(rs.getInt(1)).row();
                assertThat(row.path("title").asText()).isEqualTo(rs.getString(2));
                assertThat(row.path("price").asText()).isEqualTo(rs.getString(3));
                assertThat(row.path("qty").asInt()).isEqualTo(rs.getInt(4));
                assertThat(row.path("note").isNull() ? null : row.path("note").asText()).isEqualTo(rs.getString(5));
            }
            assertThat(last).hasSize(rows);
        }
    }

    private static HttpResponse<String> snapshot(TestApp app, String table) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/api/tables/" + table + "/snapshot"))
                .header("Authorization", "Bearer " + app.apiToken()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldPrintTablesWithGeneratedColumnsWholeInEverySnapshotAndInTheStream() throws Exception {
        String first = "gen_first";
        String later = "gen_later";
        String fresh = "gen_fresh";
        Db.exec(films(first));
        Db.exec("DROP SCHEMA IF EXISTS " + later + " CASCADE", "DROP SCHEMA IF EXISTS " + fresh + " CASCADE");
        TestApp app = apps.start(first, "gen_connector", "gen-1", false, capturing(first));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        // the first start's snapshot: every row once, with its own columns only
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file(app, first + ".film"), "r") == 3
                && OutputEntries.countOp(file(app, first + ".zeta"), "r") == 2);
        assertFilmsExact(app, first + ".film");
        Entry dinosaur = OutputEntries.read(file(app, first + ".film")).stream().filter(e -> e.row().path("id").asInt() == 1)
                .findFirst().orElseThrow();
        assertThat(dinosaur.row().toString()).isEqualTo("{\"id\":1,\"note\":\"a\",\"price\":\"0.99\",\"qty\":3,\"title\":\"Academy Dinosaur\"}");

        // streaming: the same columns
        Db.exec("INSERT INTO " + first + ".film (id, title, price, qty, note) VALUES (4, 'African Egg', 2.99, 2, 'd')",
                "UPDATE " + first + ".film SET qty = 10, title = 'Academy Dinosaurs' WHERE id = 1");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(app, first + ".film"), "c") == 1
                && OutputEntries.countOp(file(app, first + ".film"), "u") == 1);
        assertFilmsExact(app, first + ".film");

        // a snapshot on demand (incremental): Debezium's chunk query must not meet a column its table model lacks
        HttpResponse<String> asked = snapshot(app, first + ".film");
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file(app, first + ".film"), "r") == 3 + 4);
        assertFilmsExact(app, first + ".film");
        apps.stop(app);

        // a schema the include list gains: its tables are read in one incremental snapshot, film first, then zeta
        Db.exec(films(later));
        // (gen_fresh is created while the app runs, below)
        TestApp grown = apps.start(first, "gen_connector", "gen-1", false, capturing(first + "," + later + "," + fresh));
        await().atMost(Duration.ofSeconds(120)).until(() -> OutputEntries.countOp(file(grown, later + ".film"), "r") == 3
                && OutputEntries.countOp(file(grown, later + ".zeta"), "r") == 2);
        assertFilmsExact(grown, later + ".film");
        assertThat(OutputEntries.read(file(grown, later + ".zeta")).stream().map(e -> e.row().toString()))
                .containsExactlyInAnyOrder("{\"id\":1,\"v\":\"one\"}", "{\"id\":2,\"v\":\"two\"}");

        // a generated column added while the app runs: left out of the stream and of the next snapshot alike
        Db.exec("ALTER TABLE " + later + ".film ADD COLUMN doubled int GENERATED ALWAYS AS (qty * 2) STORED",
                "INSERT INTO " + later + ".film (id, title, price, qty, note) VALUES (5, 'Airport Pollock', 4.99, 5, 'e')");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(grown, later + ".film"), "c") == 1);
        // 409 while the app still counts the previous snapshot as running: asked again until taken
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                .until(() -> snapshot(grown, later + ".film").statusCode() == 202);
        // (the app's refresh applies the new column to the connector meanwhile, restarting its task: a chunk may be read twice)
        await().atMost(Duration.ofSeconds(120)).until(() -> OutputEntries.read(file(grown, later + ".film")).stream()
                .filter(e -> "r".equals(e.op())).map(e -> e.row().path("id").asInt())
                .collect(java.util.stream.Collectors.toSet()).contains(5));
        assertFilmsExact(grown, later + ".film");
        assertThat(AppsUnderTest.connect("/connectors/gen_connector").path("config").path("column.exclude.list").asText())
                .as("the app's refresh applied the new generated column to the running connector")
                .contains("gen_later\\.film\\.doubled");

        // a schema the include list names, created while the app runs: its tables are read in a blocking snapshot
        // (Debezium reads their structure over JDBC, generated columns included), once Connect runs the column list
        // that names their generated columns
        Db.exec(films(fresh));
        await().atMost(Duration.ofSeconds(120)).until(() -> OutputEntries.countOp(file(grown, fresh + ".film"), "r") == 3
                && OutputEntries.countOp(file(grown, fresh + ".zeta"), "r") == 2);
        assertFilmsExact(grown, fresh + ".film");
        Db.exec("UPDATE " + fresh + ".film SET price = 1.50 WHERE id = 2");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(grown, fresh + ".film"), "u") == 1);
        assertFilmsExact(grown, fresh + ".film");
    }
}
