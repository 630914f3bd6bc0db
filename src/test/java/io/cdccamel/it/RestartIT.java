package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.it.OutputEntries.Entry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application in embedded mode, stopped and started again on its data folder as a user does:
 * the same Kafka cluster, Connect state, Debezium position and output come back, and nothing is
 * snapshotted again.
 */
class RestartIT {

    private EmbeddedApp app;

    @AfterEach
    void stopEverything() {
        if (app != null) {
            app.close();
        }
    }

    private static int count(Path file, int fromId, int toId, String op) {
        return (int) OutputEntries.read(file).stream().filter(e -> op.equals(e.op()))
                .filter(e -> e.row().path("id").asInt() >= fromId && e.row().path("id").asInt() <= toId).count();
    }

    @Test
    void shouldResumeAfterSigtermWithoutSnapshotAndStopCleanly() throws Exception {
        app = new EmbeddedApp("restart");
        Process first = app.start();
        app.sql("INSERT INTO debezium.product SELECT g, 'first run ' || g FROM generate_series(1001, 1100) g");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(app.output(), "c") >= 100);
        long firstStop = app.stop(first);
        assertThat(EmbeddedApp.errorsAndStackTraces(app.logFile(1), "triggered by SIGTERM")).isEmpty();
        assertThat(EmbeddedApp.errorsAndStackTraces(app.console(1), "triggered by SIGTERM")).isEmpty();
        long firstLength = Files.size(app.output());

        long t0 = System.nanoTime();
        Process second = app.start();
        long toStreaming = (System.nanoTime() - t0) / 1_000_000;
        String console = Files.readString(app.console(2));
        assertThat(console).contains("Embedded stack: starting again on the data in")
                .contains("Debezium resumed streaming from its stored position {\"lsn")
                .doesNotContain("Debezium is snapshotting");
        app.sql("INSERT INTO debezium.product SELECT g, 'second run ' || g FROM generate_series(1101, 1200) g");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(app.output(), "c") >= 200);

        // a table created after the start and a logical decoding message: printed with no restart
        app.sql("CREATE TABLE debezium.later (id int PRIMARY KEY, v text)",
                "INSERT INTO debezium.later VALUES (1, 'made after the start')",
                "SELECT pg_logical_emit_message(true, 'cdc-camel', 'hello ✓')");
        Path later = app.dir.resolve("output").resolve("postgres.debezium.later.log");
        Path messages = app.dir.resolve("output").resolve("postgres.message.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(later, "c") == 1
                && OutputEntries.countOp(messages, "m") == 1);
        JsonNode message = OutputEntries.read(messages).get(0).json().path("message");
        assertThat(message.path("prefix").asText()).isEqualTo("cdc-camel");
        assertThat(message.path("content").asText()).as("hex of the UTF-8 bytes")
                .isEqualTo(HexFormat.of().formatHex("hello ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(message.path("content_text").asText()).isEqualTo("hello ✓");

        List<Entry> entries = OutputEntries.read(app.output());
        assertThat(Files.size(app.output())).as("the same file, appended to").isGreaterThan(firstLength);
        assertThat(OutputEntries.countOp(app.output(), "r")).as("snapshot rows: the demo row, at the first start only").isEqualTo(1);
        assertThat(entries.stream().filter(e -> "c".equals(e.op())).map(e -> e.row().path("id").asInt()).toList())
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1001, 1200).boxed().toList());
        Set<String> positions = entries.stream().map(e -> e.partition() + "/" + e.offset()).collect(Collectors.toSet());
        assertThat(positions).as("offsets continue: no position printed twice").hasSize(entries.size());
        assertThat(readTopicWithNewGroup(app.brokers(), entries.size())).as("the topic kept its history")
                .isEqualTo(entries.size());
        assertOnlyLoopbackListeners(second);

        long secondStop = app.stop(second);
        assertThat(EmbeddedApp.errorsAndStackTraces(app.logFile(2), "triggered by SIGTERM")).isEmpty();
        assertThat(EmbeddedApp.errorsAndStackTraces(app.console(2), "triggered by SIGTERM")).isEmpty();
        System.out.printf("RESTART FIGURES: stop %d ms and %d ms; second start to streaming %d ms (JVM start included); "
                + "%d entries, 1 snapshot row%n", firstStop, secondStop, toStreaming, entries.size());
    }

    @Test
    void shouldPrintEveryRowOnceAsChangesAcrossAKillDash9OfTheWholeApp() throws Exception {
        int rows = 10_000;
        int from = 100_001;
        int to = from + rows - 1;
        app = new EmbeddedApp("kill-stack");
        Process first = app.start();
        AtomicInteger refused = new AtomicInteger();
        CompletableFuture<Void> inserting = CompletableFuture.runAsync(() -> insertPaced(from, to, refused));

        int killAt = ThreadLocalRandom.current().nextInt(1_000, 4_000);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> OutputEntries.countOp(app.output(), "c") >= killAt);
        app.kill(first);
        int printedAtKill = OutputEntries.countOp(app.output(), "c");
        // written while the app is down, to the PostgreSQL the killed JVM left running
        assertThat(app.postmaster()).as("PostgreSQL outlives a kill -9 of the JVM").isPresent();
        app.sql("UPDATE debezium.product SET name = 'changed while down' WHERE id = " + from,
                "DELETE FROM debezium.product WHERE id = " + (from + 1));

        app.start();
        inserting.get();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> count(app.output(), from, to, "c") >= rows && count(app.output(), from, to, "d") >= 1);

        List<Entry> entries = OutputEntries.read(app.output());
        List<Integer> inserted = entries.stream().filter(e -> "c".equals(e.op())).map(e -> e.row().path("id").asInt()).toList();
        assertThat(inserted).as("every row once as an insert").hasSize(rows)
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(from, to).boxed().toList());
        assertThat(OutputEntries.countOp(app.output(), "r")).as("snapshot rows: the demo row, at the first start only").isEqualTo(1);
        List<Entry> updates = entries.stream().filter(e -> "u".equals(e.op())).toList();
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).json().path("after").path("name").asText()).isEqualTo("changed while down");
        assertThat(entries.stream().filter(e -> "d".equals(e.op())).map(e -> e.row().path("id").asInt()).toList())
                .containsExactly(from + 1);
        Set<String> positions = entries.stream().map(e -> e.partition() + "/" + e.offset()).collect(Collectors.toSet());
        assertThat(positions).as("no record printed twice").hasSize(entries.size());
        System.out.printf("KILL -9 OF THE WHOLE APP: killed at %d of %d printed (aimed at %d); %d insert batches refused"
                + " while PostgreSQL restarted; after the restart every row once, 0 duplicates, 0 snapshot rows%n",
                printedAtKill, rows, killAt, refused.get());
    }

    /** 100 rows every 100 ms, each batch retried until PostgreSQL takes it (it restarts with the app). */
    private void insertPaced(int from, int to, AtomicInteger refused) {
        for (int start = from; start <= to; start += 100) {
            String sql = "INSERT INTO debezium.product SELECT g, 'row ' || g FROM generate_series(" + start + ", "
                    + Math.min(to, start + 99) + ") g ON CONFLICT (id) DO NOTHING";
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                try {
                    app.sql(sql);
                    break;
                } catch (SQLException e) {
                    refused.incrementAndGet();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("PostgreSQL refused inserts for 120 s", e);
                    }
                    pause(200);
                }
            }
            pause(100);
        }
    }

    /** Paces the inserting thread (not a synchronisation: nothing waits on it). */
    private static void pause(long millis) {
        java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000);
    }

    /** Records a consumer of a new group reads from the start of the topic. */
    private static int readTopicWithNewGroup(String brokers, int expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("group.id", "verify-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(EmbeddedApp.TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                return seen.size() >= expected;
            });
        }
        return seen.size();
    }

    /** Every listening TCP socket of the app's JVM, its children and its PostgreSQL is on a loopback address. */
    private void assertOnlyLoopbackListeners(Process process) throws IOException {
        Set<Long> pids = new HashSet<>();
        Stream.concat(Stream.of(process.toHandle()), process.descendants()).forEach(h -> pids.add(h.pid()));
        app.postmaster().ifPresent(pm -> {
            pids.add(pm.pid());
            pm.descendants().forEach(h -> pids.add(h.pid()));
        });
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds.forEach(fd -> {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                });
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        Map<String, InetAddress> listening = new java.util.TreeMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if ("0A".equals(f[3]) && inodes.contains(f[9])) { // 0A: LISTEN
                    String[] hostPort = f[1].split(":");
                    listening.put(address(hostPort[0]).getHostAddress() + ":" + Integer.parseInt(hostPort[1], 16),
                            address(hostPort[0]));
                }
            }
        }
        System.out.println("LISTENING SOCKETS of the app and its PostgreSQL: " + listening.keySet());
        assertThat(listening).as("the stack listens (brokers, controller, Connect, PostgreSQL, API)").hasSizeGreaterThanOrEqualTo(7);
        assertThat(listening.entrySet().stream().filter(e -> !e.getValue().isLoopbackAddress()).map(Map.Entry::getKey).toList())
                .as("listening beyond loopback").isEmpty();
    }

    /** An address of /proc/net/tcp*: hex, each 32-bit word in host (little-endian) order. */
    private static InetAddress address(String hex) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hex);
        for (int i = 0; i < raw.length; i += 4) {
            for (int j = 0; j < 2; j++) {
                byte b = raw[i + j];
                raw[i + j] = raw[i + 3 - j];
                raw[i + 3 - j] = b;
            }
        }
        return InetAddress.getByAddress(raw);
    }
}
