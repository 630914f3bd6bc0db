package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.stack.RecordLimits;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rows of 50 MB, as a user's table may hold them (a {@code text}, a {@code bytea} and a
 * {@code jsonb} value), inserted, updated and deleted, through Debezium, Connect's producer, the
 * three brokers, the print route and the file, in the application as a user runs it: one JVM of
 * its own whose heap is the one docs/operations.md#big-rows gives for such rows. Every printed copy
 * of a value is compared with PostgreSQL's own (MD5 of the whole value), and a small row after
 * them is printed too: the pipeline went on.
 */
class BigRowsIT {

    /** docs/operations.md#big-rows: the heap for rows up to 50 MB. */
    static final String HEAP = System.getProperty("it.big-rows.heap", "-Xmx3g");
    private static final ObjectMapper MAPPER = io.cdccamel.events.ExactJson.newObjectMapper();
    private static final int BIG = 1_000_000;

    /** A table, the SQL of its 50 MB value, and how a printed value becomes the value's bytes. */
    private record Kind(String table, String type, String value, String md5Sql, Function<String, byte[]> bytes) {
    }

    @Test
    void shouldPrintFiftyMegabyteRowsExactlyAndGoOn() throws Exception {
        List<Kind> kinds = List.of(
                // 50,000,000 characters PostgreSQL cannot compress
                new Kind("texts", "text", "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 1562500) g)",
                        "md5(v)", s -> s.getBytes(StandardCharsets.UTF_8)),
                // 50,000,000 bytes, printed as 100,000,000 hex digits (binary.handling.mode=hex); an update
                // carries them twice: a 200 MB event
                new Kind("bytes", "bytea", "(SELECT decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 3125000) g)",
                        "md5(v)", s -> HexFormat.of().parseHex(s)),
                // a 50 MB document, printed as its text with every quote escaped
                new Kind("docs", "jsonb", "(SELECT jsonb_agg(md5(g::text)) FROM generate_series(1, 1400000) g)",
                        "md5(v::text)", s -> s.getBytes(StandardCharsets.UTF_8)));
        try (EmbeddedApp app = new EmbeddedApp("big-rows")) {
            app.heap = HEAP;
            app.settings.add("-Dcdc.connector.config.schema.include.list=debezium,big");
            app.settings.add("-Dcdc.capture.refresh.ms=1000");
            Process process = app.start();
            app.sql("CREATE SCHEMA big");
            for (Kind k : kinds) {
                app.sql("CREATE TABLE big." + k.table() + " (id int PRIMARY KEY, note text, v " + k.type() + ")",
                        "INSERT INTO big." + k.table() + " VALUES (0, 'before the big row', NULL)");
            }
            for (Kind k : kinds) {
                // streamed (c), or read by the snapshot of a table that appeared while streaming (r)
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> countLines(file(app, k), "\t\t\"note\": \"before the big row\",") >= 1);
            }
            Map<String, String> expected = new java.util.HashMap<>();
            for (Kind k : kinds) {
                app.sql("INSERT INTO big." + k.table() + " SELECT 1, 'first', " + k.value());
                expected.put(k.table(), md5Of(app, "SELECT " + k.md5Sql() + " FROM big." + k.table() + " WHERE id = 1"));
                app.sql("UPDATE big." + k.table() + " SET note = 'second' WHERE id = 1",
                        "DELETE FROM big." + k.table() + " WHERE id = 1",
                        "INSERT INTO big." + k.table() + " VALUES (2, 'after the big row', NULL)");
            }
            for (Kind k : kinds) {
                Path file = file(app, k);
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                    assertThat(process.isAlive()).as("the app is running; see %s", app.console(1)).isTrue();
                    return countLines(file, "\t\t\"note\": \"after the big row\",") == 1
                            && countLines(file, "\t\"op\": \"u\",") == 1 && countLines(file, "\t\"op\": \"d\",") == 1;
                });
                // insert (after), update (before and after), delete (before): four whole copies
                List<String> printed = bigValues(file, k.bytes());
                assertThat(printed).as("MD5 of each printed copy of %s's value", k.table())
                        .containsExactly(expected.get(k.table()), expected.get(k.table()), expected.get(k.table()),
                                expected.get(k.table()));
            }
            long peakKb = peakResidentKb(process);
            System.out.printf("BigRowsIT: 50 MB rows printed with %s; the JVM's peak resident memory %d MB; record limit %d bytes%n",
                    HEAP, peakKb / 1024, RecordLimits.CEILING_BYTES);
            assertThat(Files.readString(app.console(1))).doesNotContain("OutOfMemoryError");
            app.stop(process);
        }
    }

    private static Path file(EmbeddedApp app, Kind k) {
        return app.dir.resolve("output").resolve("postgres.big." + k.table() + ".log");
    }

    /** Lines equal to {@code line}, read one at a time (the file holds hundreds of MB). */
    private static int countLines(Path file, String line) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        int count = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                if (l.equals(line)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** MD5 of every printed value of column {@code v} longer than 1,000,000 characters, in file order. */
    private static List<String> bigValues(Path file, Function<String, byte[]> bytes) throws Exception {
        List<String> md5s = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                if (l.length() > BIG && l.startsWith("\t\t\"v\": \"")) {
                    String field = l.strip();
                    JsonNode parsed = MAPPER.readTree("{" + (field.endsWith(",") ? field.substring(0, field.length() - 1) : field) + "}");
                    md5s.add(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes.apply(parsed.get("v").textValue()))));
                }
            }
        }
        return md5s;
    }

    private static String md5Of(EmbeddedApp app, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + app.postgresPort + "/postgres",
                "postgres", "postgres");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** The process's peak resident memory (Linux's VmHWM), in kB. */
    private static long peakResidentKb(Process process) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
