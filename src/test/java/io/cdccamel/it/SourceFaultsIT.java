package io.cdccamel.it;

import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults on the source side while 10,000 rows stream: the Kafka Connect worker killed with
 * {@code kill -9} and started again, and PostgreSQL stopped and started again. Every inserted row
 * is in the topic exactly once for a {@code read_committed} reader (Connect's exactly-once source:
 * what the killed worker had not committed is aborted, and its successor resumes from the offsets
 * committed with the records) and printed exactly once, with nothing dropped on the way.
 */
@ExtendWith(EmbeddedStackExtension.class)
class SourceFaultsIT {

    private static final int ROWS = 10_000;
    private static final int BATCH = 100;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** Kept after the test (target/it-apps): the workers' console output tells what happened. */
    private final Path workDir;
    private final List<Process> workers = new ArrayList<>();
    private String workerConnector;
    private String workerUrl;

    SourceFaultsIT() throws java.io.IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), "source-faults");
    }

    @AfterEach
    void stopTheWorkers() throws Exception {
        if (workerConnector != null && workers.stream().anyMatch(Process::isAlive)) {
            HTTP.send(HttpRequest.newBuilder(URI.create(workerUrl + "/connectors/" + workerConnector)).DELETE()
                            .header("Authorization", "Bearer " + EmbeddedStackExtension.stack().connect().token()).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        for (Process p : workers) {
            p.destroy();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** Inserts 1..ROWS, 100 a transaction, at most 1,000 ahead of the output; a batch that fails is tried again. */
    private static CompletableFuture<Integer> insertAll(String schema, Path file) {
        return CompletableFuture.supplyAsync(() -> {
            int failures = 0;
            for (int from = 1; from <= ROWS; from += BATCH) {
                int batchStart = from;
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                        .until(() -> OutputEntries.countOp(file, "c") >= batchStart - 1_000);
                while (true) {
                    try {
                        Db.exec("INSERT INTO " + schema + ".product SELECT g, 'row ' || g FROM generate_series("
                                + batchStart + ", " + (batchStart + BATCH - 1) + ") g ON CONFLICT (id) DO NOTHING");
                        break;
                    } catch (java.sql.SQLException e) {
                        // PostgreSQL is down: the batch goes in once it is back
                        failures++;
                        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                                .ignoreExceptions().until(() -> {
                                    Db.exec("SELECT 1");
                                    return true;
                                });
                    }
                }
            }
            return failures;
        });
    }

    /** Waits until the output holds at least {@code inserts} printed inserts. */
    private static void awaitPrinted(TestApp app, int inserts) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                .until(() -> OutputEntries.countOp(app.outputFile(), "c") >= inserts);
    }

    /**
     * Every id once in the topic as an insert (no re-send at all) and once in the output; the app
     * skipped nothing by its Kafka position either. Returns the inserts in the topic.
     */
    private static long assertEveryRowOnceInTheTopicAndTheOutput(TestApp app) throws Exception {
        Map<Integer, Integer> inTopic = TopicInserts.countById(app.topic(), ROWS);
        assertThat(inTopic.keySet()).isEqualTo(IntStream.rangeClosed(1, ROWS).boxed().collect(Collectors.toSet()));
        assertThat(inTopic.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList())
                .as("ids in the topic more than once").isEmpty();
        List<Entry> printed = OutputEntries.read(app.outputFile()).stream().filter(e -> "c".equals(e.op())).toList();
        Set<Integer> ids = printed.stream().map(e -> e.json().path("after").path("id").asInt()).collect(Collectors.toSet());
        assertThat(ids).isEqualTo(inTopic.keySet());
        assertThat(printed).as("duplicates in the output").hasSize(ROWS);
        assertThat(app.metric("cdc_redelivered_records_skipped_total")).as("records read again by the app").isZero();
        return inTopic.values().stream().mapToLong(Integer::longValue).sum();
    }

    private Process startWorker(String group, int port, int run) throws Exception {
        LocalStack stack = EmbeddedStackExtension.stack();
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                "-Dcdc.log.dir=" + workDir.resolve("worker-logs-" + run),
                "-Dcdc.secrets.file=" + Path.of("target", "it-stack", "secrets", "connector.properties").toAbsolutePath(),
                // a dead worker leaves the group after 6 s, and its tasks go to the live ones at once
                "-Dcdc.connect.worker.session.timeout.ms=6000",
                "-Dcdc.connect.worker.heartbeat.interval.ms=2000",
                "-Dcdc.connect.worker.scheduled.rebalance.max.delay.ms=0",
                "io.cdccamel.stack.ConnectWorker", stack.kafka().bootstrapServers(), Integer.toString(port), group);
        Path out = workDir.resolve("worker-" + run + ".out");
        Process process = CleanEnvironment.of(new ProcessBuilder(command)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        workers.add(process);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("worker %d exited; see %s", run, out).isTrue();
            return Files.readString(out).contains("Kafka Connect worker ready");
        });
        return process;
    }

    @Test
    void shouldPrintEveryRowOnceWhenTheConnectWorkerIsKilledMidStream() throws Exception {
        String schema = "it_connect_kill";
        workerConnector = "connect_kill_connector";
        Db.createProductTable(schema);
        int port = Ports.freePort();
        workerUrl = "http://localhost:" + port;
        String group = "it-connect-kill";
        Process first = startWorker(group, port, 1);
        TestApp app = apps.start(schema, workerConnector, "connect-kill", false, Map.of("cdc.connect.url", workerUrl));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        CompletableFuture<Integer> inserting = insertAll(schema, app.outputFile());
        awaitPrinted(app, 3_000);
        first.destroyForcibly(); // SIGKILL: no offset flush, no producer flush
        first.waitFor();
        long killedAt = System.nanoTime();
        int printedAtKill = OutputEntries.countOp(app.outputFile(), "c");

        startWorker(group, port, 2);
        long workerBackMillis = (System.nanoTime() - killedAt) / 1_000_000;
        awaitPrinted(app, printedAtKill + 1);
        long streamingAgainMillis = (System.nanoTime() - killedAt) / 1_000_000;
        inserting.get();
        awaitPrinted(app, ROWS);

        long inTopic = assertEveryRowOnceInTheTopicAndTheOutput(app);
        System.out.printf("CONNECT KILL FIGURES: %d of %d printed at the kill; new worker up after %d ms, "
                + "printing again after %d ms; %d inserts in Kafka (read_committed), %d printed, duplicates 0, "
                + "dropped 0%n", printedAtKill, ROWS, workerBackMillis, streamingAgainMillis, inTopic, ROWS);
    }

    @Test
    void shouldPrintEveryRowOnceWhenPostgresRestartsMidStream() throws Exception {
        String schema = "it_pg_restart";
        Db.createProductTable(schema);
        TestApp app = apps.start(schema, "pg_restart_connector", "pg-restart");
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        CompletableFuture<Integer> inserting = insertAll(schema, app.outputFile());
        awaitPrinted(app, 3_000);
        LocalStack stack = EmbeddedStackExtension.stack();
        long stoppedAt = System.nanoTime();
        stack.stopPostgres();
        int printedAtStop = OutputEntries.countOp(app.outputFile(), "c");
        stack.startPostgres();
        long downMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        awaitPrinted(app, printedAtStop + 1);
        long streamingAgainMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        int failedBatches = inserting.get();
        awaitPrinted(app, ROWS);

        long inTopic = assertEveryRowOnceInTheTopicAndTheOutput(app);
        System.out.printf("POSTGRES RESTART FIGURES: %d of %d printed at the stop; PostgreSQL down %d ms "
                + "(%d insert attempts refused); printing again after %d ms; %d inserts in Kafka (read_committed); "
                + "%d printed, duplicates 0, dropped 0%n", printedAtStop, ROWS, downMillis, failedBatches,
                streamingAgainMillis, inTopic, ROWS);
    }
}
