package io.cdccamel.it;

import io.cdccamel.events.OutputFormat;
import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The output file cannot grow past a limit half-way through large batches (the app as its own
 * process under {@code ulimit -f}: each append past it fails with EFBIG, as on a full disk): every
 * failed append is rolled back, and once the limit is gone every row is in the file once, with no
 * header glued into another entry.
 */
@ExtendWith(EmbeddedStackExtension.class)
class DiskFullIT {

    private static final int ROWS = 3_000;
    private static final String SCHEMA = "it_disk_full";
    private static final String CONNECTOR = "disk_full_connector";
    /** Bytes the first run's files may reach (ulimit -f counts 1,024-byte blocks): about 1,300 of the rows. */
    private static final int LIMIT_KB = 3 * 1024;

    private final Path workDir;
    private final List<Process> processes = new ArrayList<>();

    DiskFullIT() throws java.io.IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), "disk-full");
    }

    @AfterEach
    void stopTheAppAndDeleteTheConnector() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        ExternalAppCommand.deleteConnector(CONNECTOR);
    }

    /** The app in external mode against the shared stack; with {@code limitKb}, under {@code ulimit -f}. */
    private Process startApp(Path output, int run, Integer limitKb) throws Exception {
        List<String> command = new ArrayList<>();
        if (limitKb != null) {
            command.addAll(List.of("bash", "-c", "ulimit -f " + limitKb + " && exec \"$0\" \"$@\""));
        }
        command.addAll(ExternalAppCommand.of(CONNECTOR, SCHEMA, workDir.resolve("logs-" + run), output, Ports.freePort(),
                "-Dcdc.topics=postgres." + SCHEMA + ".product", "-Dcdc.consumer.group=group-disk-full"));
        Process process = CleanEnvironment.of(new ProcessBuilder(command)).redirectErrorStream(true).start();
        processes.add(process);
        // through a pipe, not a file the child writes: the limit is on every file the child writes
        Path console = workDir.resolve("app-" + run + ".out");
        Thread drain = new Thread(() -> {
            try (InputStream in = process.getInputStream(); OutputStream out = Files.newOutputStream(console)) {
                in.transferTo(out);
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "drain-app-" + run);
        drain.setDaemon(true);
        drain.start();
        return process;
    }

    private static List<Integer> ids(Path file) {
        return OutputEntries.read(file).stream().filter(e -> "c".equals(e.op()) || "r".equals(e.op()))
                .map(e -> e.json().path("after").path("id").asInt()).toList();
    }

    private String logs(int run) throws Exception {
        Path console = workDir.resolve("app-" + run + ".out");
        Path log = workDir.resolve("logs-" + run).resolve("cdc-camel.log");
        return (Files.exists(console) ? Files.readString(console) : "") + (Files.exists(log) ? Files.readString(log) : "");
    }

    @Test
    void shouldWriteEveryRowOnceAfterAppendsFailedHalfWayThroughLargeBatches() throws Exception {
        Db.createProductTable(SCHEMA);
        Db.ensurePublication("pub_" + CONNECTOR, SCHEMA);
        Path output = workDir.resolve("output");
        Path file = output.resolve("postgres." + SCHEMA + ".product.log");

        Process first = startApp(output, 1, LIMIT_KB);
        await().atMost(Duration.ofSeconds(120)).until(() -> logs(1).contains("is RUNNING"));
        // ~2.3 KB per entry, batches of up to 500 records (~1.1 MB): one of them crosses the limit
        Db.exec("INSERT INTO " + SCHEMA + ".product SELECT g, repeat('x', 1500) || g FROM generate_series(1, " + ROWS + ") g");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> logs(1).contains("File too large") && logs(1).contains("rolled back"));
        // a batch whose append failed half-way left nothing behind: the file ends with a whole entry
        String atTheLimit = Files.readString(file);
        assertThat(OutputFormat.wholeEnd(atTheLimit)).isEqualTo(atTheLimit.length());
        int printedAtTheLimit = ids(file).size();
        assertThat(printedAtTheLimit).isLessThan(ROWS);
        assertThat(Files.size(file)).isLessThanOrEqualTo(LIMIT_KB * 1024L);
        first.destroy();
        first.waitFor();

        // space is back
        Process second = startApp(output, 2, null);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> ids(file).size() >= ROWS);
        assertThat(second.isAlive()).isTrue();

        List<Integer> printed = ids(file);
        Map<Integer, Long> counts = printed.stream().collect(Collectors.groupingBy(i -> i, Collectors.counting()));
        assertThat(counts.keySet()).isEqualTo(IntStream.rangeClosed(1, ROWS).boxed().collect(Collectors.toSet()));
        assertThat(printed).as("no row printed twice").hasSize(ROWS);
        String text = Files.readString(file);
        long headers = text.split("Message on \\[", -1).length - 1L;
        assertThat(text.lines().filter(l -> l.startsWith("Message on [")).count())
                .as("every header starts its own line: none glued into another entry").isEqualTo(headers).isEqualTo(ROWS);
        System.out.printf("DISK FULL FIGURES: %d of %d rows in the file at the limit (%d bytes); all %d once after it%n",
                printedAtTheLimit, ROWS, atTheLimit.length(), ROWS);
    }
}
