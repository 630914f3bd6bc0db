package io.cdccamel;

import io.cdccamel.events.OutputFormat;
import io.cdccamel.settings.Hermetic;
import io.cdccamel.stack.DataDirs;
import io.cdccamel.stack.Ports;
import io.cdccamel.stack.PostgresPassword;
import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The training run behind {@code target/cdc-camel.jsa}, the JVM's class-data-sharing archive of
 * the app: {@code mvn package} runs
 * {@code java -XX:ArchiveClassesAtExit=target/cdc-camel.jsa -cp target/cdc-camel.jar io.cdccamel.CdsTraining},
 * which starts the app as a user does (embedded stack, a fresh data folder in
 * {@code target/cds-training/}), waits until the demo row and one row inserted afterwards are
 * printed, and stops it. The JVM then writes every class it loaded, parsed and verified, to the
 * archive; {@code java -XX:SharedArchiveFile=target/cdc-camel.jsa -jar target/cdc-camel.jar}
 * maps them instead of loading them again (measured in bench/README.md: the restart of the quick
 * start streams about 4 s sooner on 2 cores).
 * <p>
 * It runs on its own embedded stack whatever the user's shell holds: no {@code CDC_*} or
 * {@code CAMEL_*} environment variable and no {@code cdc.*}/{@code camel.*} {@code -D} (e.g. through
 * {@code JAVA_TOOL_OPTIONS}) reaches its settings ({@link Hermetic}), so a user's
 * {@code CDC_POSTGRES_EMBEDDED=false} never points the build at their own database.
 * <p>
 * A training run that fails never fails the build: the app runs the same without the archive
 * (Java ignores a missing one), only slower to start.
 */
public final class CdsTraining {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(180);
    private static final int ROW_ID = 1_000_000_001;

    private CdsTraining() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/cds-training");
        // before anything reads a setting: only what this class sets below
        List<String> ignored = Hermetic.isolate(key -> false);
        if (!ignored.isEmpty()) {
            System.out.println("cdc-camel: the CDS training run ignores -D" + String.join(", -D", ignored));
        }
        // before anything logs: the app's log file goes there too, not to the user's data/logs
        System.setProperty("cdc.log.dir", dir.resolve("logs").toString());
        long t0 = System.nanoTime();
        try {
            train(dir);
            System.out.println("cdc-camel: CDS training run done in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms; the JVM writes the archive as it exits");
        } catch (Exception e) {
            System.out.println("cdc-camel: the CDS training run failed (" + e + "); the app runs the same without"
                    + " the archive, only slower to start");
        }
        // the archive is written at exit: Kafka's and Connect's leftover threads must not keep the JVM
        System.exit(0);
    }

    static void train(Path dir) throws Exception {
        // a first start every time: the stack's own reset (it stops a PostgreSQL an interrupted
        // training run left behind, then deletes the stack's folders), and no earlier output
        Path output = dir.resolve("output");
        DataDirs.deleteRecursively(output);
        Files.createDirectories(dir);
        int pgPort = Ports.freePort();
        System.setProperty("cdc.stack.reset", "true");
        System.setProperty("cdc.mode", "embedded");
        System.setProperty("cdc.postgres.embedded", "true");
        System.setProperty("cdc.stack.dir", dir.resolve("data").toString());
        System.setProperty("cdc.output.dir", output.toString());
        System.setProperty("cdc.postgres.port", Integer.toString(pgPort));
        System.setProperty("cdc.kafka.ports", Ports.freePort() + "," + Ports.freePort() + "," + Ports.freePort());
        System.setProperty("cdc.connect.port", Integer.toString(Ports.freePort()));
        System.setProperty("cdc.api.port", Integer.toString(Ports.freePort()));

        Main main = CdcApplication.newMain();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread app = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                failure.set(e);
            }
        }, "cds-training-app");
        app.start();
        try {
            // the demo row, from Debezium's snapshot
            awaitPrinted(output, "\"first product\"", failure);
            // the install's superuser password, which the stack made at its start
            String password = PostgresPassword.read(dir.resolve("data")).orElseThrow();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/postgres",
                    "postgres", password); Statement s = c.createStatement()) {
                s.execute("INSERT INTO debezium.product VALUES (" + ROW_ID + ", 'cds training')");
            }
            // a row from the stream, which a restart resumes
            awaitPrinted(output, "\"cds training\"", failure);
        } finally {
            main.completed();
            app.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    private static void awaitPrinted(Path output, String text, AtomicReference<Exception> failure) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw failure.get();
            }
            if (Files.isDirectory(output)) {
                for (Path file : OutputFormat.files(output)) {
                    if (Files.readString(file).contains(text)) {
                        return;
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException(text + " was not printed to " + output + " within " + STEP_TIMEOUT.toSeconds() + " s");
    }
}
