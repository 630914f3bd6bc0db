package io.cdccamel.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One folder, one instance: the README's command run again while the app streams (same data and
 * output folders) stops at once with one line naming the PID that holds them, and so does an app
 * with another data folder but the same output folder; the running app loses nothing and its
 * PostgreSQL is never stopped.
 */
class SecondInstanceIT {

    private static final int FIRST_ID = 5_001;

    private EmbeddedApp app;
    private EmbeddedApp other;

    @AfterEach
    void stopEverything() {
        if (other != null) {
            other.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private void insert(int from, int to) throws Exception {
        app.sql("INSERT INTO debezium.product SELECT g, 'row ' || g FROM generate_series(" + from + ", " + to + ") g");
    }

    /** Inserts printed (op c) with an id from {@value #FIRST_ID}, by id: how many times each. */
    private Map<Integer, Long> printed() {
        return OutputEntries.read(app.output()).stream().filter(e -> "c".equals(e.op()))
                .map(e -> e.row().path("id").asInt()).filter(id -> id >= FIRST_ID)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String refusal(Path console) throws Exception {
        List<String> lines = Files.readAllLines(console).stream().filter(l -> l.startsWith("cdc-camel: ")).toList();
        assertThat(lines).as("the refusal in %s", console).hasSize(1);
        return lines.get(0);
    }

    @Test
    void shouldRefuseASecondStartOnTheSameFoldersAndLoseNothing() throws Exception {
        app = new EmbeddedApp("second-instance");
        app.startTimeout = Duration.ofSeconds(300); // other builds on this machine
        Process first = app.start();
        long postgresPid = app.postmaster().orElseThrow().pid();

        // before the second start
        insert(FIRST_ID, FIRST_ID + 99);
        await().atMost(Duration.ofSeconds(60)).until(() -> printed().size() == 100);

        // during it: one row at a time while the second JVM starts and stops
        AtomicBoolean secondDone = new AtomicBoolean();
        CompletableFuture<Integer> during = CompletableFuture.supplyAsync(() -> {
            int id = FIRST_ID + 100;
            try {
                do {
                    insert(id, id);
                    id++;
                } while (!secondDone.get() || id < FIRST_ID + 200);
            } catch (Exception e) {
                throw new IllegalStateException("insert of row " + id + " failed: the running app's PostgreSQL stopped?", e);
            }
            return id - 1;
        });
        long t0 = System.nanoTime();
        int exit = app.startExpectingExit();
        long refusedMillis = (System.nanoTime() - t0) / 1_000_000;
        secondDone.set(true);
        int lastDuring = during.get();

        String line = refusal(app.console(2));
        assertThat(exit).as("the second start's exit code").isNotZero();
        assertThat(line).startsWith("cdc-camel: cdc.stack.dir=" + app.dir.resolve("data").toAbsolutePath())
                .contains("in use by another cdc-camel, pid " + first.pid());
        assertThat(Files.readString(app.console(2))).as("the second start touched no process or port")
                .doesNotContain("Stopping PostgreSQL").doesNotContain("Starting PostgreSQL").doesNotContain("Kafka brokers");

        // an app with its own data folder but the same output folder: refused too, before its stack starts
        other = new EmbeddedApp("second-instance-output");
        other.settings.add("-Dcdc.output.dir=" + app.dir.resolve("output"));
        int otherExit = other.startExpectingExit();
        String otherLine = refusal(other.console(1));
        assertThat(otherExit).isNotZero();
        assertThat(otherLine).startsWith("cdc-camel: cdc.output.dir=" + app.dir.resolve("output").toAbsolutePath())
                .contains("in use by another cdc-camel, pid " + first.pid());
        assertThat(Files.readString(other.console(1))).doesNotContain("Starting PostgreSQL").doesNotContain("Kafka brokers");

        // after: the first app streams on, on the PostgreSQL it started
        insert(lastDuring + 1, lastDuring + 100);
        int last = lastDuring + 100;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> printed().size() >= last - FIRST_ID + 1);
        assertThat(first.isAlive()).isTrue();
        assertThat(app.postmaster().orElseThrow().pid()).as("the running app's PostgreSQL").isEqualTo(postgresPid);
        Map<Integer, Long> printed = printed();
        assertThat(printed.keySet()).isEqualTo(IntStream.rangeClosed(FIRST_ID, last).boxed().collect(Collectors.toSet()));
        assertThat(printed.values()).as("each row printed once").containsOnly(1L);
        assertThat(Files.readString(app.logFile(1))).doesNotContain("Connection to localhost:" + app.postgresPort + " refused");
        System.out.printf("SECOND INSTANCE FIGURES: second start refused after %d ms (JVM start included), exit %d: %s;"
                + " output-only clash exit %d; %d rows inserted (%d while it ran), each printed once%n",
                refusedMillis, exit, line, otherExit, last - FIRST_ID + 1, lastDuring - FIRST_ID - 99);
    }
}
