package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL killed under the running app (kill -9 of the postmaster): the app says so
 * at ERROR, {@code postgres} in {@code /observe/health} is DOWN, it starts PostgreSQL again on the same
 * data folder and port, Debezium's task reconnects, and the rows inserted afterwards are printed once.
 */
class PostgresCrashIT {

    private static final int FIRST_ID = 6_001;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EmbeddedApp app;

    @AfterEach
    void stopEverything() {
        if (app != null) {
            app.close();
        }
    }

    private Map<Integer, Long> printed() {
        return OutputEntries.read(app.output()).stream().filter(e -> "c".equals(e.op()))
                .map(e -> e.row().path("id").asInt()).filter(id -> id >= FIRST_ID)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** The health check {@code name} of the app: its status and message, or empty when absent. */
    private Optional<JsonNode> health(String name) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.apiPort + "/observe/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode check : MAPPER.readTree(body).path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return Optional.of(check);
            }
        }
        return Optional.empty();
    }

    private String status(String name) throws Exception {
        return health(name).map(c -> c.path("status").asText()).orElse("absent");
    }

    private long metric(String name) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.apiPort + "/observe/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).as("kill -%s %d", signal, pid)
                .isZero();
    }

    @Test
    void shouldSayPostgresDiedTurnDownStartItAgainAndPrintTheRowsInsertedAfter() throws Exception {
        app = new EmbeddedApp("postgres-crash");
        app.startTimeout = Duration.ofSeconds(300); // other builds on this machine
        Process first = app.start();
        app.sql("INSERT INTO debezium.product SELECT g, 'before ' || g FROM generate_series(" + FIRST_ID + ", "
                + (FIRST_ID + 99) + ") g");
        await().atMost(Duration.ofSeconds(60)).until(() -> printed().size() == 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(status("postgres")));

        long killedPid;
        long t0;
        // a session of ours, stopped (SIGSTOP), outlives the postmaster: it keeps PostgreSQL's shared memory,
        // so that starts again fail until it ends, and the DOWN state lasts long enough to be read
        Connection session = Superuser.connect(app.postgresPort, app.stackDir());
        long backend;
        try (Statement s = session.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            backend = r.getLong(1);
        }
        signal("STOP", backend);
        ProcessHandle postmaster = app.postmaster().orElseThrow();
        killedPid = postmaster.pid();
        t0 = System.nanoTime();
        signal("KILL", killedPid);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "DOWN".equals(status("postgres")));
        String downMessage = health("postgres").orElseThrow().path("message").asText();
        long downMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(downMessage).contains("PostgreSQL (pid " + killedPid + ")").contains("stopped unexpectedly");
        assertThat(Files.readString(app.logFile(1))).containsPattern(
                " ERROR .*PostgreSQL \\(pid " + killedPid + "\\) on localhost:" + app.postgresPort + " stopped unexpectedly");

        signal("KILL", backend); // the last of the old server's processes: it may start again now
        try {
            session.close();
        } catch (Exception e) {
            // its server is gone
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> "UP".equals(status("postgres")));
        long upMillis = (System.nanoTime() - t0) / 1_000_000;
        long newPid = app.postmaster().orElseThrow().pid();
        assertThat(newPid).isNotEqualTo(killedPid);
        assertThat(first.isAlive()).isTrue();
        assertThat(metric("cdc_postgres_restarts_total")).isEqualTo(1);

        // Debezium's task reconnects by itself: rows inserted after the restart are printed, each once
        app.sql("INSERT INTO debezium.product SELECT g, 'after ' || g FROM generate_series(" + (FIRST_ID + 100) + ", "
                + (FIRST_ID + 199) + ") g");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> printed().size() >= 200);
        long printingMillis = (System.nanoTime() - t0) / 1_000_000;
        Map<Integer, Long> printed = printed();
        assertThat(printed.keySet()).isEqualTo(IntStream.rangeClosed(FIRST_ID, FIRST_ID + 199).boxed().collect(Collectors.toSet()));
        assertThat(printed.values()).as("each row printed once").containsOnly(1L);
        assertThat(status("postgres")).isEqualTo("UP");
        assertThat(Files.readString(app.logFile(1))).as("zonky's pg_ctl stop of the dead server, said at ERROR by zonky")
                .doesNotContain("Could not stop postmaster");
        System.out.printf("POSTGRES CRASH FIGURES: postmaster %d killed; health DOWN seen after %d ms (\"%s\");"
                + " UP again after %d ms (new pid %d); the 100 rows inserted after printed %d ms after the kill%n",
                killedPid, downMillis, downMessage, upMillis, newPid, printingMillis);
    }
}
