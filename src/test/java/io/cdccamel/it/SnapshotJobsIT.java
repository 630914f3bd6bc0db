package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A table's snapshot as a job with a durable state (issue 30), on the real stack, the app as its
 * own process (its log is a file, and it can be killed with {@code kill -9}): a table that enters
 * the publication right before a kill is snapshotted after the restart; a table Debezium cannot
 * read fails loudly (log, health, API, metric) while the others are printed, and is retried once
 * fixed; a table named with regex characters is snapshotted; two requests at once are one job.
 */
@ExtendWith(EmbeddedStackExtension.class)
class SnapshotJobsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path workDir;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> connectors = new ArrayList<>();

    SnapshotJobsIT() throws java.io.IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), "jobs");
    }

    @AfterEach
    void stopTheAppsAndDeleteTheConnectors() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (String connector : connectors) {
            HTTP.send(HttpRequest.newBuilder(URI.create(EmbeddedStackExtension.stack().connect().url() + "/connectors/"
                    + connector)).header("Authorization", "Bearer " + EmbeddedStackExtension.stack().connect().token())
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            Db.dropSlotOf(connector);
        }
    }

    /** One start of the app: its process, API port, token file and console output. */
    private record App(Process process, int apiPort, Path tokenFile, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + apiPort + path;
        }
    }

    /** {@code java ... io.cdccamel.CdcApplication} in external mode against the shared stack. */
    private App startApp(String connector, String prefix, String schemas, Path output, int run) throws Exception {
        if (!connectors.contains(connector)) {
            connectors.add(connector);
            Db.ensurePublication("pub_" + connector, schemas.split(",")[0]);
        }
        int port = Ports.freePort();
        Path token = workDir.resolve(connector + "-token");
        Path log = workDir.resolve(connector + "-" + run + ".out");
        List<String> command = ExternalAppCommand.of(connector, schemas, workDir.resolve("logs-" + connector + "-" + run),
                output, port,
                "-Dcdc.connect.poll.ms=500",
                "-Dcdc.api.token-file=" + token,
                "-Dcdc.connector.config.topic.prefix=" + prefix,
                // what the app derives from an empty cdc.topics (a -D empty value would win over the derived one)
                "-Dcdc.topics=" + prefix.replace(".", "\\.") + "\\..+",
                "-Dcdc.topics.pattern=true",
                "-Dcdc.capture.refresh.ms=1000",
                "-Dcdc.capture.replica-identity-full=true",
                "-Dcdc.consumer.group=group-" + connector);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return new App(process, port, token, log);
    }

    private static HttpResponse<String> get(App app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> postSnapshot(App app, String table) throws Exception {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(app.url("/api/tables/" + table + "/snapshot")))
                .header("Authorization", "Bearer " + Files.readString(app.tokenFile()).trim())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The job of {@code table} in {@code GET /api/tables} (what the live page's table lines show), or null. */
    private static JsonNode job(App app, String table) throws Exception {
        HttpResponse<String> r = get(app, "/api/tables");
        if (r.statusCode() != 200) {
            return null;
        }
        return StreamSupport.stream(MAPPER.readTree(r.body()).path("tables").spliterator(), false)
                .filter(t -> table.equals(t.path("table").asText())).findFirst().orElse(null);
    }

    private static String state(App app, String table) {
        try {
            JsonNode job = job(app, table);
            return job == null ? null : job.path("state").asText();
        } catch (Exception e) {
            return null;
        }
    }

    private static List<Integer> readIds(Path file) {
        return OutputEntries.read(file).stream().filter(e -> "r".equals(e.op())).map(e -> e.row().path("id").asInt()).sorted()
                .toList();
    }

    private static void connector(String connector, String action) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(EmbeddedStackExtension.stack().connect().url()
                + "/connectors/" + connector + "/" + action))
                .header("Authorization", "Bearer " + EmbeddedStackExtension.stack().connect().token())
                .PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT %s: %s", action, r.body()).isEqualTo(202);
    }

    /**
     * The app adds a table to the publication (its schema created while the app streams) and is
     * killed before it sends the table's snapshot signal (the connector is paused meanwhile: the
     * app sends signals only to a running connector). Its rows were written before the publication
     * held the table: in no stream. The next start must snapshot it from the durable request.
     */
    @Test
    void shouldSnapshotATableThatEnteredThePublicationRightBeforeAKillDash9() throws Exception {
        String connector = "jobs_kill";
        Db.exec("DROP SCHEMA IF EXISTS jk_late CASCADE", "DROP SCHEMA IF EXISTS jk_base CASCADE",
                "CREATE SCHEMA jk_base", "CREATE TABLE jk_base.a (id int PRIMARY KEY)", "INSERT INTO jk_base.a VALUES (1)");
        Path output = workDir.resolve("output-kill");
        App first = startApp(connector, "jk", "jk_base,jk_late", output, 1);
        await().atMost(Duration.ofSeconds(180)).until(() -> readIds(output.resolve("jk.jk_base.a.log")).equals(List.of(1)));

        connector(connector, "pause");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> r = get(first, "/api/connector");
            return r.statusCode() == 200 && MAPPER.readTree(r.body()).path("registration").asText().equals("PAUSED");
        });
        Db.exec("CREATE SCHEMA jk_late", "CREATE TABLE jk_late.t (id int PRIMARY KEY, v text)",
                "INSERT INTO jk_late.t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        // the refresh adds the schema to the publication and says so; the paused connector gets no signal
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(first.log()).contains("Newly captured while streaming: [jk_late.t]")
                && Db.count("SELECT count(*) FROM pg_publication_namespace p JOIN pg_namespace n ON n.oid = p.pnnspid "
                + "WHERE n.nspname = 'jk_late'") == 1);
        first.process().destroyForcibly(); // SIGKILL
        first.process().waitFor();
        connector(connector, "resume");

        App second = startApp(connector, "jk", "jk_base,jk_late", output, 2);
        Path late = output.resolve("jk.jk_late.t.log");
        await().atMost(Duration.ofSeconds(180)).until(() -> Files.exists(late) && readIds(late).size() >= 3);
        assertThat(readIds(late)).as("every row once").containsExactly(1, 2, 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> "done".equals(state(second, "jk_late.t")));
        assertThat(readIds(output.resolve("jk.jk_base.a.log"))).as("not read again").containsExactly(1);
    }

    /**
     * Five tables become captured at a start: one Debezium cannot read (a row-level security
     * policy that raises an error for the connector's role), one named {@code a+b} (a regular
     * expression that does not match itself, but matches {@code aab}), {@code aab}, one named
     * {@code orders.v2} (a dot Debezium's incremental snapshot splits the name at), one plain. The others are printed, the failed
     * one is said in the log, the health check, the API and the metric; fixed and asked for twice
     * at once, it is snapshotted once.
     */
    @Test
    void shouldPrintTheOtherTablesAndSayWhichFailedAndWhyThenRetryItOnce() throws Exception {
        String connector = "jobs_fail";
        Db.exec("DROP SCHEMA IF EXISTS jf CASCADE", "DROP SCHEMA IF EXISTS jf_base CASCADE",
                "CREATE SCHEMA jf_base", "CREATE TABLE jf_base.x (id int PRIMARY KEY)", "INSERT INTO jf_base.x VALUES (1)",
                "CREATE SCHEMA jf",
                "CREATE TABLE jf.ok (id int PRIMARY KEY, v text)", "INSERT INTO jf.ok VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "CREATE TABLE jf.\"a+b\" (id int PRIMARY KEY)", "INSERT INTO jf.\"a+b\" VALUES (1), (2)",
                // what the name a+b matches as a pattern: without escaping, Debezium read this one instead
                "CREATE TABLE jf.aab (id int PRIMARY KEY)", "INSERT INTO jf.aab VALUES (7)",
                // a dot in the name: Debezium's incremental snapshot parses the name it matched at every dot
                "CREATE TABLE jf.\"orders.v2\" (id int PRIMARY KEY)", "INSERT INTO jf.\"orders.v2\" VALUES (4), (5)",
                "CREATE TABLE jf.bad (id int PRIMARY KEY, v text)", "INSERT INTO jf.bad VALUES (1, 'x'), (2, 'y')",
                "CREATE FUNCTION jf.refuse() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF current_user = 'cdc_connector' THEN RAISE EXCEPTION 'jf.bad refuses its reader (a test)'; END IF; "
                        + "RETURN true; END $$",
                "ALTER TABLE jf.bad ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY refuse ON jf.bad USING (jf.refuse())");
        Path output = workDir.resolve("output-fail");
        App first = startApp(connector, "jf", "jf_base", output, 1);
        await().atMost(Duration.ofSeconds(180)).until(() -> readIds(output.resolve("jf.jf_base.x.log")).equals(List.of(1)));
        first.process().destroy();
        first.process().waitFor();

        // the include list grows by schema jf: its tables in one incremental snapshot (bad fails)
        App app = startApp(connector, "jf", "jf_base,jf", output, 2);
        Path ok = output.resolve("jf.jf.ok.log");
        Path regex = output.resolve("jf.jf.a_b.log"); // Debezium's topic name: '+' is not allowed in one
        await().atMost(Duration.ofSeconds(180)).until(() -> Files.exists(ok) && readIds(ok).size() >= 3
                && Files.exists(regex) && readIds(regex).size() >= 2);
        assertThat(readIds(ok)).containsExactly(1, 2, 3);
        assertThat(readIds(regex)).as("the table named a+b").containsExactly(1, 2);
        Path aab = output.resolve("jf.jf.aab.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(aab) && !readIds(aab).isEmpty());
        assertThat(readIds(aab)).as("the table aab, read once: by its own name, not by a+b's").containsExactly(7);
        Path dotted = output.resolve("jf.jf.orders.v2.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dotted) && readIds(dotted).size() >= 2);
        assertThat(readIds(dotted)).as("the table named orders.v2, read once").containsExactly(4, 5);

        await().atMost(Duration.ofSeconds(60)).until(() -> "failed".equals(state(app, "jf.bad")));
        JsonNode failed = job(app, "jf.bad");
        assertThat(failed.path("reason").asText()).contains("SQL_EXCEPTION").contains("POST /api/tables/jf.bad/snapshot");
        assertThat(job(app, "jf.ok").path("state").asText()).isEqualTo("done");
        assertThat(job(app, "jf.ok").path("rows").asLong()).isEqualTo(3);
        assertThat(job(app, "jf.a+b").path("state").asText()).isEqualTo("done");
        assertThat(job(app, "jf.orders.v2").path("state").asText()).isEqualTo("done");
        assertThat(MAPPER.readTree(get(app, "/api/tables").body()).path("failedTables").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String health = get(app, "/observe/health").body();
            assertThat(health).contains("snapshots").contains("DOWN").contains("jf.bad");
            assertThat(get(app, "/observe/metrics").body()).containsPattern("(?m)^cdc_snapshot_failed_tables(\\{[^}]*\\})? 1\\.0$");
        });
        assertThat(Files.readString(app.log()).lines().filter(l -> l.contains("ERROR") && l.contains("Snapshot of jf.bad failed")))
                .as("an ERROR naming the table, the cause and the fix").isNotEmpty()
                .allSatisfy(l -> assertThat(l).contains("SQL_EXCEPTION").contains("POST /api/tables/jf.bad/snapshot"));

        // fixed, and asked for twice at once (two clicks, two clients): one job, one snapshot
        Db.exec("ALTER TABLE jf.bad DISABLE ROW LEVEL SECURITY");
        CompletableFuture<HttpResponse<String>> one = postSnapshot(app, "jf.bad");
        CompletableFuture<HttpResponse<String>> two = postSnapshot(app, "jf.bad");
        List<Integer> statuses = List.of(one.get().statusCode(), two.get().statusCode()).stream().sorted().toList();
        assertThat(statuses).as("%s | %s", one.get().body(), two.get().body()).containsExactly(202, 409);
        Path bad = output.resolve("jf.jf.bad.log");
        await().atMost(Duration.ofSeconds(120)).until(() -> "done".equals(state(app, "jf.bad")));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(bad) && readIds(bad).size() >= 2);
        assertThat(readIds(bad)).as("read once").containsExactly(1, 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(get(app, "/observe/health").body()).doesNotContain("jf.bad");
            assertThat(MAPPER.readTree(get(app, "/api/tables").body()).path("failedTables").asInt()).isZero();
        });
        List<Entry> entries = OutputEntries.read(ok);
        assertThat(entries.stream().filter(e -> "r".equals(e.op())).count()).as("the other tables not read again").isEqualTo(3);
        System.out.printf("SNAPSHOT JOBS: %s%n", get(app, "/api/tables").body().lines().map(String::trim)
                .collect(Collectors.joining(" ")));
    }
}
