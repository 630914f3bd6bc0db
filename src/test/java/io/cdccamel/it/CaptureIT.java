package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.ConnectorRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Your own tables: schemas other than the demo's, named in the connector's include list only. The
 * app derives the publication, the grants, the topics it prints and the snapshot of tables that
 * become captured later from that one list, on the real stack.
 */
@ExtendWith(EmbeddedStackExtension.class)
class CaptureIT {

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** 300,000 characters PostgreSQL cannot compress: stored out of line (TOAST). */
    private static final String LARGE = "(SELECT string_agg(md5(g::text || random()::text), '') FROM generate_series(1, 9375) g)";

    private static void createShop(String schema) throws Exception {
        Db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TYPE " + schema + ".mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE " + schema + ".orders (id int, placed date NOT NULL, amount numeric(12,2), "
                        + "PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed)",
                "CREATE TABLE " + schema + ".orders_2024 PARTITION OF " + schema + ".orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE " + schema + ".orders_2025 PARTITION OF " + schema + ".orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                "CREATE TABLE " + schema + ".orders_2026 PARTITION OF " + schema + ".orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "INSERT INTO " + schema + ".orders VALUES (1, '2024-03-01', 10.50), (2, '2025-03-01', 20.25), (3, '2026-03-01', 30.00)",
                "CREATE TABLE " + schema + ".logs (msg text)",
                "INSERT INTO " + schema + ".logs VALUES ('same'), ('same')",
                "CREATE TABLE " + schema + ".people (id int PRIMARY KEY, mood " + schema + ".mood, tags text[], body text)",
                "INSERT INTO " + schema + ".people VALUES (1, 'happy', ARRAY['a', 'b,c', '\"q\"'], " + LARGE + ")");
    }

    private static Map<String, String> capturing(String prefix, String schemas) {
        return Map.of("cdc.connector.config.schema.include.list", schemas,
                "cdc.connector.config.topic.prefix", prefix,
                // empty: what the connector writes (here <prefix>.<schema>.<table>)
                "cdc.topics", "",
                "cdc.capture.replica-identity-full", "true",
                "cdc.capture.refresh.ms", "1000");
    }

    private static Path file(TestApp app, String topic) {
        return app.outputDir.resolve(topic + ".log");
    }

    private static List<Entry> entries(TestApp app, String topic) {
        return OutputEntries.read(file(app, topic));
    }


    @Test
    void shouldSnapshotAndStreamEveryTableOfASchemaNamedInTheIncludeList() throws Exception {
        String schema = "cap_shop";
        createShop(schema);
        TestApp app = apps.start(schema, "cap_connector", "cap", false, capturing("cap", schema));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        // the snapshot: every row once as "r", each table in its own file, the partitioned one under its own name
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(app, "cap." + schema + ".orders"), "r") == 3
                && OutputEntries.countOp(file(app, "cap." + schema + ".logs"), "r") == 2
                && OutputEntries.countOp(file(app, "cap." + schema + ".people"), "r") == 1);
        assertThat(entries(app, "cap." + schema + ".orders").stream().map(e -> e.row().path("amount").asText()))
                .containsExactlyInAnyOrder("10.50", "20.25", "30.00");
        try (var files = Files.list(app.outputDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("cap." + schema + ".orders.log", "cap." + schema + ".logs.log",
                            "cap." + schema + ".people.log");
        }
        Entry person = entries(app, "cap." + schema + ".people").get(0);
        assertThat(person.row().path("mood").asText()).isEqualTo("happy");
        assertThat(person.row().path("tags").toString()).isEqualTo("[\"a\",\"b,c\",\"\\\"q\\\"\"]");
        String body = person.row().path("body").asText();
        assertThat(body).hasSize(300_000);
        assertThat(Db.replicaIdentity(schema + ".people")).isEqualTo("f");
        assertThat(Db.replicaIdentity(schema + ".orders_2025")).isEqualTo("f");

        // then changes stream; an update that leaves the large value alone prints it, not Debezium's placeholder
        Db.exec("UPDATE " + schema + ".people SET mood = 'ok' WHERE id = 1",
                "INSERT INTO " + schema + ".orders VALUES (4, '2026-05-01', 1.01)",
                "UPDATE " + schema + ".orders SET amount = 2.02 WHERE id = 4",
                "DELETE FROM " + schema + ".orders WHERE id = 4",
                "UPDATE " + schema + ".logs SET msg = 'changed'",
                "DELETE FROM " + schema + ".logs");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(app, "cap." + schema + ".logs"), "d") == 2
                && OutputEntries.countOp(file(app, "cap." + schema + ".orders"), "d") == 1
                && OutputEntries.countOp(file(app, "cap." + schema + ".people"), "u") == 1);
        Entry update = entries(app, "cap." + schema + ".people").stream().filter(e -> "u".equals(e.op())).findFirst().orElseThrow();
        assertThat(update.json().path("after").path("body").asText()).isEqualTo(body);
        assertThat(update.json().path("before").path("body").asText()).isEqualTo(body);
        assertThat(update.json().path("before").path("mood").asText()).isEqualTo("happy");
        List<Entry> orders = entries(app, "cap." + schema + ".orders");
        assertThat(orders.stream().filter(e -> !e.isTombstone()).map(Entry::op).toList()).containsExactly("r", "r", "r", "c", "u", "d")
                .as("a partition's changes go to the parent's one topic");
        assertThat(entries(app, "cap." + schema + ".logs").stream().filter(e -> "u".equals(e.op())))
                .allSatisfy(u -> assertThat(u.json().path("before").path("msg").asText()).isEqualTo("same")).hasSize(2);
    }

    /**
     * A schema the include list names is created while the app streams, and a table appears in it
     * with a row while the app's refresh adds the schema to the publication: after the refresh read
     * the catalog, before its {@code ALTER PUBLICATION} committed. That row is in no stream (the
     * publication did not hold the table when it was written); the snapshot of newly captured
     * tables must read it. The refresh is held at that point, deterministically, by a lock on the
     * app's signal table, which its {@code ALTER PUBLICATION} names.
     */
    @Test
    void shouldPrintTheRowsOfATableCreatedWhileTheAppAddsItsNewSchemaToThePublication() throws Exception {
        String base = "cap_base";
        String late = "cap_late";
        Db.exec("DROP SCHEMA IF EXISTS " + late + " CASCADE", "DROP SCHEMA IF EXISTS " + base + " CASCADE",
                "CREATE SCHEMA " + base, "CREATE TABLE " + base + ".a (id int PRIMARY KEY)", "INSERT INTO " + base + ".a VALUES (1)");
        TestApp app = apps.start(base, "late_connector", "late", false, capturing("late", base + "," + late));
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file(app, "late." + base + ".a"), "r") == 1);

        // the stack's event trigger (REPLICA IDENTITY FULL for keyless tables) reads every published table at each
        // CREATE TABLE, which the lock below would hold up too
        Db.exec("ALTER EVENT TRIGGER cdc_camel_replica_identity_full DISABLE");
        try (java.sql.Connection holder = Superuser.connect(EmbeddedStackExtension.stack())) {
            holder.setAutoCommit(false);
            try (java.sql.Statement s = holder.createStatement()) {
                s.execute("DO $$ DECLARE t text; BEGIN FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                        + "WHERE schemaname = 'cdc_camel' AND tablename LIKE 'signal\\_%' LOOP "
                        + "EXECUTE 'LOCK TABLE ' || t || ' IN ACCESS EXCLUSIVE MODE'; END LOOP; END $$");
            }
            Db.exec("CREATE SCHEMA " + late);
            // the refresh has read the catalog (the schema, no table yet) and waits to change the publication
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    Db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            + "AND query LIKE 'ALTER PUBLICATION%'") == 1);
            Db.exec("CREATE TABLE " + late + ".early (id int PRIMARY KEY, v text)",
                    "INSERT INTO " + late + ".early VALUES (1, 'written before the publication held its schema')");
            holder.commit();
        } finally {
            Db.exec("ALTER EVENT TRIGGER cdc_camel_replica_identity_full ENABLE");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM pg_publication_namespace p "
                + "JOIN pg_namespace n ON n.oid = p.pnnspid WHERE n.nspname = '" + late + "'") == 1);
        Db.exec("CREATE TABLE " + late + ".after (id int PRIMARY KEY, v text)",
                "INSERT INTO " + late + ".after VALUES (2, 'written after')", "INSERT INTO " + late + ".early VALUES (3, 'streamed')");

        Path early = file(app, "late." + late + ".early");
        Path after = file(app, "late." + late + ".after");
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(early) && Files.exists(after)
                && entries(app, "late." + late + ".early").stream().map(e -> e.row().path("id").asInt()).collect(Collectors.toSet())
                .containsAll(Set.of(1, 3))
                && entries(app, "late." + late + ".after").stream().anyMatch(e -> e.row().path("id").asInt() == 2));
        assertThat(entries(app, "late." + late + ".early").stream().filter(e -> e.row().path("id").asInt() == 1).map(Entry::op))
                .as("the row written before the publication held the schema is read by the snapshot").contains("r");
        assertThat(Db.count("SELECT count(*) FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                + "CROSS JOIN LATERAL aclexplode(d.defaclacl) a WHERE n.nspname = '" + late + "' AND d.defaclobjtype = 'r' "
                + "AND a.grantee = '" + ConnectorRole.ROLE + "'::regrole AND a.privilege_type = 'SELECT'"))
                .as("the connector role may read the tables created later in the schema the refresh added").isEqualTo(1);
    }

    @Test
    void shouldSnapshotOnlyTheTablesANewIncludeListAddsAndStopPrintingTheOnesItDrops() throws Exception {
        String first = "cap_one";
        String second = "cap_two";
        Db.exec("DROP SCHEMA IF EXISTS " + first + " CASCADE", "CREATE SCHEMA " + first,
                "CREATE TABLE " + first + ".a (id int PRIMARY KEY, v text)", "INSERT INTO " + first + ".a VALUES (1, 'one')");
        createShop(second);
        TestApp app = apps.start(first, "grow_connector", "grow-1", false, capturing("grow", first));
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file(app, "grow." + first + ".a"), "r") == 1);
        // written while only the first schema is captured: not streamed, the snapshot of the second schema reads it
        Db.exec("INSERT INTO " + second + ".orders VALUES (5, '2025-06-01', 5.55)");
        apps.stop(app);

        // the connector file names the second schema too: its tables are snapshotted, the first's are not read again
        TestApp grown = apps.start(first, "grow_connector", "grow-1", false, capturing("grow", first + "," + second));
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.countOp(file(grown, "grow." + second + ".orders"), "r") == 4
                && OutputEntries.countOp(file(grown, "grow." + second + ".logs"), "r") == 2
                && OutputEntries.countOp(file(grown, "grow." + second + ".people"), "r") == 1);
        Db.exec("INSERT INTO " + first + ".a VALUES (2, 'two')", "INSERT INTO " + second + ".orders VALUES (6, '2025-07-01', 6.66)");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(grown, "grow." + second + ".orders"), "c") == 1
                && OutputEntries.countOp(file(grown, "grow." + first + ".a"), "c") == 1);
        assertThat(OutputEntries.countOp(file(grown, "grow." + first + ".a"), "r")).as("not snapshotted again").isEqualTo(1);
        Set<Integer> snapshotted = entries(grown, "grow." + second + ".orders").stream().filter(e -> "r".equals(e.op()))
                .map(e -> e.row().path("id").asInt()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(snapshotted).containsExactly(1, 2, 3, 5);
        // a table created later in a captured schema streams from its first row
        Db.exec("CREATE TABLE " + second + ".later (id int PRIMARY KEY)", "INSERT INTO " + second + ".later VALUES (7)");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(grown, "grow." + second + ".later"), "c")
                + OutputEntries.countOp(file(grown, "grow." + second + ".later"), "r") >= 1);
        assertThat(entries(grown, "grow." + second + ".later")).hasSize(1);
        apps.stop(grown);

        // the first schema dropped from the list: its changes are no longer printed, the second's still are
        TestApp shrunk = apps.start(first, "grow_connector", "grow-1", false, capturing("grow", second));
        await().atMost(Duration.ofSeconds(90)).until(() -> shrunk.registration().state() == ConnectorRegistration.State.RUNNING);
        Db.exec("INSERT INTO " + first + ".a VALUES (3, 'three')", "INSERT INTO " + second + ".orders VALUES (8, '2025-08-01', 8.88)");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file(shrunk, "grow." + second + ".orders"), "c") == 2);
        assertThat(OutputEntries.countOp(file(shrunk, "grow." + first + ".a"), "c")).isEqualTo(1);
        assertThat(OutputEntries.countOp(file(shrunk, "grow." + second + ".orders"), "r")).as("not snapshotted again").isEqualTo(4);
    }
}
