package io.cdccamel.it;

import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
 * The application, as its own process, killed with {@code kill -9} while 10,000 inserted rows
 * stream, then started again: the output file ends with every row exactly once.
 */
@ExtendWith(EmbeddedStackExtension.class)
class KillAppIT {

    private static final int ROWS = 10_000;
    private static final int BATCH = 100;
    private static final String SCHEMA = "it_kill";
    private static final String CONNECTOR = "kill_connector";

    /** Kept after the test (target/it-apps): the two apps' console output tells what happened. */
    private final Path workDir;

    KillAppIT() throws java.io.IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), "kill");
    }

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopTheAppAndDeleteTheConnector() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        ExternalAppCommand.deleteConnector(CONNECTOR);
    }

    /** {@code java ... io.cdccamel.CdcApplication} in external mode against the shared stack. */
    private Process startApp(Path output, int run) throws Exception {
        return startApp(output, run, "postgres." + SCHEMA + ".product", "group-kill");
    }

    private Process startApp(Path output, int run, String topic, String group) throws Exception {
        List<String> command = ExternalAppCommand.of(CONNECTOR, SCHEMA, workDir.resolve("logs-" + run), output,
                Ports.freePort(), "-Dcdc.topics=" + topic, "-Dcdc.consumer.group=" + group);
        Process process = CleanEnvironment.of(new ProcessBuilder(command))
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("app-" + group + "-" + run + ".out").toFile())
                .start();
        processes.add(process);
        return process;
    }

    /** Rows printed: by the snapshot (r) if they were there when the connector started, else as inserts (c). */
    private static int rows(Path file) {
        return OutputEntries.countOp(file, "r") + OutputEntries.countOp(file, "c");
    }

    @Test
    void shouldWriteEveryRowExactlyOnceAcrossAKillDash9() throws Exception {
        Db.createProductTable(SCHEMA);
        Db.ensurePublication("pub_" + CONNECTOR, SCHEMA);
        Path output = workDir.resolve("output");
        Path file = output.resolve("postgres." + SCHEMA + ".product.log");

        Process first = startApp(output, 1);
        CompletableFuture<Void> inserting = CompletableFuture.runAsync(() -> {
            for (int from = 1; from <= ROWS; from += BATCH) {
                int batchStart = from;
                // at most 1,000 rows ahead of the output, so that the kill lands mid-stream
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> rows(file) >= batchStart - 1_000);
                try {
                    Db.exec("INSERT INTO " + SCHEMA + ".product SELECT g, 'row ' || g FROM generate_series("
                            + batchStart + ", " + (batchStart + BATCH - 1) + ") g");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> rows(file) >= 3_000);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no last commit
        first.waitFor();
        int printedAtKill = rows(file);

        Process second = startApp(output, 2);
        inserting.get();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> rows(file) >= ROWS);
        assertThat(second.isAlive()).isTrue();

        List<Entry> printed = OutputEntries.read(file).stream().filter(e -> "c".equals(e.op()) || "r".equals(e.op())).toList();
        Set<Integer> ids = printed.stream().map(e -> e.json().path("after").path("id").asInt()).collect(Collectors.toSet());
        assertThat(ids).isEqualTo(IntStream.rangeClosed(1, ROWS).boxed().collect(Collectors.toSet()));
        assertThat(printed).as("no row printed twice").hasSize(ROWS);
        String secondLog = Files.readString(workDir.resolve("app-group-kill-2.out"));
        System.out.printf("KILL -9 FIGURES: %d of %d printed when killed; %d printed after the restart, "
                + "duplicates 0; restart log: %s%n", printedAtKill, ROWS, ROWS - printedAtKill,
                secondLog.lines().filter(l -> l.contains("already holds") || l.contains("Skipping") || l.contains("half-written"))
                        .collect(Collectors.joining(" | ")));
    }

    @Test
    void shouldPrintA5MbEntryOnceAndWholeAfterAKillDash9DuringItsAppend() throws Exception {
        String topic = "it_kill_large";
        int fiveMb = 5 * 1024 * 1024;
        int records = 12;
        Map<String, Object> client = Map.of("bootstrap.servers", EmbeddedStackExtension.stack().kafka().bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                    .configs(Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024))))).all().get();
        }
        Map<String, Object> producerProps = new java.util.HashMap<>(client);
        producerProps.put("max.request.size", Integer.toString(8 * 1024 * 1024));
        // all there before the app starts: its first polls are batches of several 5 MB entries, one append each
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int id = 1; id <= records; id++) {
                String value = "{\"before\":null,\"after\":{\"id\":" + id + ",\"name\":\"" + "x".repeat(fiveMb)
                        + "\"},\"op\":\"c\",\"ts_ms\":1}";
                producer.send(new ProducerRecord<>(topic, 0, null, value.getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
            }
        }
        Db.createProductTable(SCHEMA);
        Db.ensurePublication("pub_" + CONNECTOR, SCHEMA);
        Path output = workDir.resolve("output-large");
        Path file = output.resolve(topic + ".log");

        Process first = startApp(output, 1, topic, "group-kill-large");
        // SIGKILL as soon as the first append has begun: most likely in the middle of it
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1))
                .until(() -> Files.exists(file) && Files.size(file) > 0);
        first.destroyForcibly();
        first.waitFor();
        long sizeAtKill = Files.size(file);

        Process second = startApp(output, 2, topic, "group-kill-large");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> OutputEntries.countOp(file, "c") >= records);
        assertThat(second.isAlive()).isTrue();

        List<Entry> printed = OutputEntries.read(file);
        assertThat(printed).extracting(e -> e.json().path("after").path("id").asInt())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, records).boxed().toList());
        assertThat(printed).allSatisfy(e -> assertThat(e.json().path("after").path("name").asText()).hasSize(fiveMb));
        String secondLog = Files.readString(workDir.resolve("app-group-kill-large-2.out"));
        System.out.printf("KILL -9 DURING A 5 MB APPEND: %d bytes in the file at the kill; restart: %s%n", sizeAtKill,
                secondLog.lines().filter(l -> l.contains("after its last journaled batch") || l.contains("already holds"))
                        .collect(Collectors.joining(" | ")));
    }
}
