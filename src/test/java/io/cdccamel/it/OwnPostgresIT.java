package io.cdccamel.it;

import io.cdccamel.it.OutputEntries.Entry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Your own PostgreSQL with the embedded Kafka and Connect ({@code cdc.postgres.embedded=false}):
 * the machine's PostgreSQL server, another major version than the embedded 17, started by the
 * test. The app checks it before it starts anything, creates the connector's role, prints the
 * changes, and creates no demo table there.
 */
class OwnPostgresIT {

    private static final int EMBEDDED_MAJOR = 17;

    private static void useOwnPostgres(EmbeddedApp app, MachinePostgres pg) {
        app.settings.addAll(List.of("-Dcdc.postgres.embedded=false", "-Dcdc.postgres.host=127.0.0.1",
                "-Dcdc.postgres.port=" + pg.port, "-Dcdc.postgres.password=" + MachinePostgres.PASSWORD,
                "-Dcdc.connector.config.schema.include.list=sales", "-Dcdc.capture.refresh.ms=1000"));
    }

    @Test
    void shouldStopAtOnceWithOneLineNamingWalLevelAndItsFixWhenTheDatabaseCannotDecode() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-replica")) {
            pg.start("replica");
            useOwnPostgres(app, pg);

            assertThat(app.startExpectingExit()).as("exit code").isNotZero();
            List<String> console = Files.readAllLines(app.console(1));
            assertThat(console).filteredOn(l -> l.startsWith("cdc-camel: ")).singleElement().satisfies(line ->
                    assertThat(line).contains("wal_level is 'replica'").contains("ALTER SYSTEM SET wal_level = logical"));
            assertThat(console).as("nothing of the stack was started").noneMatch(l -> l.contains("Starting 3 Kafka brokers"));
            assertThat(EmbeddedApp.errorsAndStackTraces(app.console(1), "")).noneMatch(l -> l.trim().startsWith("at "));
        }
    }

    @Test
    void shouldPrintTheChangesOfYourOwnPostgresOfAnotherMajorVersion() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg")) {
            pg.start("logical");
            pg.sql("CREATE SCHEMA sales", "CREATE TABLE sales.items (id int PRIMARY KEY, name text)",
                    "INSERT INTO sales.items VALUES (1, 'before the start')");
            useOwnPostgres(app, pg);
            app.start();

            Path output = app.dir.resolve("output").resolve("postgres.sales.items.log");
            await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(output, "r") == 1);
            pg.sql("INSERT INTO sales.items VALUES (2, 'after the start')", "UPDATE sales.items SET name = 'renamed' WHERE id = 1",
                    "DELETE FROM sales.items WHERE id = 2");
            await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(output, "d") == 1);
            List<Entry> entries = OutputEntries.read(output).stream().filter(e -> !e.isTombstone()).toList();
            // one key's events in order (keys spread over partitions, so not across keys)
            assertThat(entries.stream().filter(e -> e.row().path("id").asInt() == 1).map(e -> e.op() + " " + e.row().path("name").asText()))
                    .containsExactly("r before the start", "u renamed");
            assertThat(entries.stream().filter(e -> e.row().path("id").asInt() == 2).map(Entry::op)).containsExactly("c", "d");

            String console = Files.readString(app.console(1));
            assertThat(console).contains("Created role cdc_connector").contains("passed the preflight check")
                    .doesNotContain("Created demo table");
            try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), "postgres", MachinePostgres.PASSWORD);
                 var rs = c.createStatement().executeQuery("SELECT to_regclass('debezium.product') IS NULL, "
                         + "current_setting('server_version_num')::int / 10000")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("no demo table in a database the app does not own").isTrue();
                assertThat(rs.getInt(2)).isNotEqualTo(EMBEDDED_MAJOR);
            }
        }
    }

    @Test
    void shouldShowTheWalTheSlotHeldWhileTheAppWasStoppedAndRecoverOnceCaughtUp() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-slot")) {
            pg.start("logical");
            pg.sql("CREATE SCHEMA sales", "CREATE TABLE sales.items (id int PRIMARY KEY)", "INSERT INTO sales.items VALUES (1)",
                    "CREATE TABLE public.junk (v text)");
            useOwnPostgres(app, pg);
            app.settings.add("-Dcdc.slot.max-retained-bytes=100000000");
            Process first = app.start();
            Path output = app.dir.resolve("output").resolve("postgres.sales.items.log");
            await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(output, "r") == 1);
            app.stop(first);

            // 300 MB of WAL while nobody reads the slot
            for (int i = 0; i < 15; i++) {
                pg.sql("INSERT INTO public.junk SELECT repeat(md5(g::text), 32) FROM generate_series(1, 20000) g");
            }
            app.start();
            String console = Files.readString(app.console(2));
            assertThat(console).containsPattern("Replication slot debezium holds [0-9,.]+ MB of WAL \\(wal_status \\w+, nobody reading yet\\): "
                    + "more than cdc.slot.max-retained-bytes \\(100.0 MB\\)");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                String health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + app.apiPort
                        + "/observe/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                com.fasterxml.jackson.databind.JsonNode checks = new com.fasterxml.jackson.databind.ObjectMapper().readTree(health).path("checks");
                for (com.fasterxml.jackson.databind.JsonNode c : checks) {
                    if ("replication-slot".equals(c.path("name").asText())) {
                        return "UP".equals(c.path("status").asText());
                    }
                }
                return false;
            });
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + app.apiPort
                    + "/observe/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("cdc_slot_retained_wal_bytes\\{slot=\"debezium\"\\} [0-9.E]+");
        }
    }

    @Test
    void shouldGiveAConnectorRoleMadeEarlierWithAnotherPasswordTheAppsAndPrint() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-role")) {
            pg.start("logical");
            // an earlier install, another instance or a DBA made the role, with a password the app does not know
            pg.sql("CREATE ROLE cdc_connector WITH LOGIN REPLICATION PASSWORD 'made-by-someone-else'",
                    "CREATE SCHEMA sales", "CREATE TABLE sales.items (id int PRIMARY KEY, name text)",
                    "INSERT INTO sales.items VALUES (1, 'before the start')");
            useOwnPostgres(app, pg);
            app.start();

            Path output = app.dir.resolve("output").resolve("postgres.sales.items.log");
            await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(output, "r") == 1);
            pg.sql("INSERT INTO sales.items VALUES (2, 'after the start')");
            await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(output, "c") == 1);
            assertThat(Files.readString(app.console(1))).contains("Role cdc_connector in PostgreSQL at ")
                    .contains("had another password than the app's").doesNotContain("password authentication failed");
        }
    }

    @Test
    void shouldStopWithOneLineNamingTheStatementWhenTheUserMayNotChangeTheRolesPassword() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-role-denied")) {
            pg.start("logical");
            pg.sql("CREATE ROLE cdc_connector WITH LOGIN REPLICATION PASSWORD 'made-by-someone-else'",
                    "CREATE ROLE app_admin WITH LOGIN PASSWORD 'admin-secret'");
            useOwnPostgres(app, pg);
            app.settings.addAll(List.of("-Dcdc.postgres.user=app_admin", "-Dcdc.postgres.password=admin-secret"));

            assertThat(app.startExpectingExit()).as("exit code").isNotZero();
            List<String> console = Files.readAllLines(app.console(1));
            assertThat(console).filteredOn(l -> l.startsWith("cdc-camel: ")).singleElement().satisfies(line ->
                    assertThat(line).contains("Role cdc_connector exists").contains("with another password")
                            .contains("app_admin may not change it").contains("ALTER ROLE \"cdc_connector\" PASSWORD '<the value of"));
            assertThat(console).as("nothing of the stack was started").noneMatch(l -> l.contains("Starting 3 Kafka brokers"));
            assertThat(EmbeddedApp.errorsAndStackTraces(app.console(1), "")).noneMatch(l -> l.trim().startsWith("at "));
            try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), "cdc_connector", "made-by-someone-else")) {
                assertThat(c.isValid(5)).as("the role's password left as it was").isTrue();
            }
        }
    }

    @Test
    void shouldStopWithOneLineWhenTheSlotWasMadeWithAnotherPlugin() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-slot-plugin")) {
            pg.start("logical");
            pg.sql("CREATE SCHEMA sales", "CREATE TABLE sales.items (id int PRIMARY KEY)",
                    "SELECT pg_create_logical_replication_slot('debezium', 'test_decoding')");
            useOwnPostgres(app, pg);

            assertThat(app.startExpectingExit()).as("exit code").isNotZero();
            List<String> console = Files.readAllLines(app.console(1));
            assertThat(console).filteredOn(l -> l.startsWith("cdc-camel: ")).singleElement().satisfies(line ->
                    assertThat(line).contains("Replication slot 'debezium' exists and decodes with plugin test_decoding")
                            .contains("plugin.name is pgoutput").contains("SELECT pg_drop_replication_slot('debezium')")
                            .contains("cdc.connector.config.slot.name="));
            assertThat(console).filteredOn(l -> l.contains(" ERROR ")).anyMatch(l -> l.contains("test_decoding"));
            assertThat(EmbeddedApp.errorsAndStackTraces(app.console(1), "")).noneMatch(l -> l.trim().startsWith("at "));
            try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), "postgres", MachinePostgres.PASSWORD);
                 var rs = c.createStatement().executeQuery("SELECT plugin FROM pg_replication_slots WHERE slot_name = 'debezium'")) {
                assertThat(rs.next()).as("the slot is left alone").isTrue();
                assertThat(rs.getString(1)).isEqualTo("test_decoding");
            }
        }
    }

    @Test
    void shouldPublishUpdatesAndDeletesThroughAPublicationMadeWithInsertsOnly() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(EMBEDDED_MAJOR); EmbeddedApp app = new EmbeddedApp("own-pg-publication")) {
            pg.start("logical");
            // made by hand before the app, publishing inserts only: updates and deletes would never stream
            pg.sql("CREATE SCHEMA sales", "CREATE TABLE sales.items (id int PRIMARY KEY, name text)",
                    "INSERT INTO sales.items VALUES (1, 'before the start')",
                    "CREATE PUBLICATION dbz_publication FOR TABLE sales.items WITH (publish = 'insert')");
            useOwnPostgres(app, pg);
            app.start();

            Path output = app.dir.resolve("output").resolve("postgres.sales.items.log");
            await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(output, "r") == 1);
            pg.sql("UPDATE sales.items SET name = 'renamed' WHERE id = 1", "DELETE FROM sales.items WHERE id = 1");
            await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(output, "d") == 1);
            List<Entry> entries = OutputEntries.read(output).stream().filter(e -> !e.isTombstone()).toList();
            assertThat(entries.stream().map(Entry::op)).containsExactly("r", "u", "d");
            assertThat(entries.get(1).row().path("name").asText()).isEqualTo("renamed");
        }
    }
}
