package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.ConnectorRole;
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
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A table without a primary key in a captured schema: the pipeline never makes PostgreSQL reject
 * its UPDATE and DELETE. Where the app owns the database (the embedded stack, docker-compose's
 * init script) an event trigger gives it REPLICA IDENTITY FULL when it is created; against a
 * database without that trigger, the app names the table and its fix.
 */
@ExtendWith(EmbeddedStackExtension.class)
class KeylessTablesIT {

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private static void prepareSchema(String schema, String publication) throws Exception {
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "GRANT USAGE ON SCHEMA " + schema + " TO " + ConnectorRole.ROLE,
                "ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema + " GRANT SELECT ON TABLES TO " + ConnectorRole.ROLE);
        Db.ensurePublication(publication, schema);
    }


    @Test
    void shouldKeepUpdatesAndDeletesOfAKeylessTableCreatedAfterStartWorkingAndPrintTheOldRow() throws Exception {
        String schema = "it_keyless";
        prepareSchema(schema, "pub_keyless_tables_connector");
        TestApp app = apps.start(schema, "keyless_tables_connector", "keyless-tables", false,
                Map.of("cdc.topics", "postgres." + schema + ".nopk"));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        // what a user does in psql; without the trigger the UPDATE fails with "cannot update table
        // "nopk" because it does not have a replica identity and publishes updates"
        Db.exec("CREATE TABLE " + schema + ".nopk (a int, b text)",
                "INSERT INTO " + schema + ".nopk VALUES (1, 'same'), (1, 'same')",
                "UPDATE " + schema + ".nopk SET b = 'changed' WHERE a = 1",
                "DELETE FROM " + schema + ".nopk WHERE a = 1");
        assertThat(Db.replicaIdentity(schema + ".nopk")).as("REPLICA IDENTITY FULL").isEqualTo("f");

        Path file = app.outputDir.resolve("postgres." + schema + ".nopk.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file, "d") >= 2);
        List<Entry> entries = OutputEntries.read(file);
        assertThat(entries.stream().filter(e -> "c".equals(e.op()))).hasSize(2);
        List<Entry> updates = entries.stream().filter(e -> "u".equals(e.op())).toList();
        assertThat(updates).hasSize(2).allSatisfy(u -> {
            assertThat(u.json().path("before").path("b").asText()).isEqualTo("same");
            assertThat(u.json().path("after").path("b").asText()).isEqualTo("changed");
        });
        assertThat(entries.stream().filter(e -> "d".equals(e.op())).toList()).hasSize(2)
                .allSatisfy(d -> assertThat(d.json().path("before").path("b").asText()).isEqualTo("changed"));
    }

    @Test
    void shouldNameAKeylessTableAndItsFixWhereTheDatabaseHasNoTrigger() throws Exception {
        String schema = "it_keyless_external";
        prepareSchema(schema, "pub_keyless_external_connector");
        // a database the app does not own: no event trigger
        Db.exec("ALTER EVENT TRIGGER cdc_camel_replica_identity_full DISABLE");
        try {
            Db.exec("CREATE TABLE " + schema + ".bare (a int)");
            assertThat(Db.replicaIdentity(schema + ".bare")).isEqualTo("d");
            TestApp app = apps.start(schema, "keyless_external_connector", "keyless-external");

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(app.apiUrl() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode check = null;
            for (JsonNode c : new ObjectMapper().readTree(health.body()).path("checks")) {
                if ("source-tables".equals(c.path("name").asText())) {
                    check = c;
                }
            }
            assertThat(check).as("source-tables in %s", health.body()).isNotNull();
            assertThat(check.path("status").asText()).isEqualTo("DOWN");
            assertThat(check.path("message").asText()).contains(schema + ".bare")
                    .contains("ALTER TABLE " + schema + ".bare REPLICA IDENTITY FULL;");
            Path log = Path.of(System.getProperty("cdc.log.dir", "data/logs"), "cdc-camel.log");
            assertThat(Files.readString(log)).contains("Table " + schema + ".bare is published but has no primary key"
                    + " and no replica identity: PostgreSQL rejects its UPDATE and DELETE. Fix: ALTER TABLE "
                    + schema + ".bare REPLICA IDENTITY FULL;");
        } finally {
            Db.exec("ALTER EVENT TRIGGER cdc_camel_replica_identity_full ENABLE",
                    "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
