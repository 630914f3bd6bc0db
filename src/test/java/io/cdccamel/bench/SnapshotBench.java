package io.cdccamel.bench;

import org.apache.camel.main.Main;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.StackSettings;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Properties;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot: a table of {@code -Dbench.rows} (1,000,000) rows exists before the connector starts.
 * Two runs, each in a JVM of its own started as this one was (same heap, same options): Debezium
 * alone (the print route stopped; until every row is in Kafka), then printed (until every row is in
 * the output file and committed). Rows/s from the first row, the ratio printed/alone, and the
 * core-seconds per 1,000,000 rows of the JVM and of PostgreSQL in each run, from the app's start.
 * {@code -Dbench.route=false} runs Debezium alone only, {@code -Dbench.route=true} printed only.
 */
final class SnapshotBench {

    private static final String TOPIC = "postgres.debezium.snap";
    private static final String PHASE = "bench.snapshot.phase";

    private SnapshotBench() {
    }

    static void run() throws Exception {
        String phase = System.getProperty(PHASE);
        if (phase != null) {
            phase(Boolean.parseBoolean(phase));
            return;
        }
        String route = System.getProperty("bench.route", "both");
        Map<Boolean, Properties> results = new LinkedHashMap<>();
        for (boolean printed : new boolean[] {false, true}) {
            if (route.equals("both") || Boolean.parseBoolean(route) == printed) {
                results.put(printed, child(printed));
            }
        }
        if (results.size() == 2) {
            double alone = Double.parseDouble(results.get(false).getProperty("rowsPerSecond"));
            double printed = Double.parseDouble(results.get(true).getProperty("rowsPerSecond"));
            Bench.figure("snapshot: printed/alone %.2f (%.0f / %.0f rows/s from the first row)", printed / alone, printed, alone);
        }
    }

    /** One run in a JVM of its own; its figures, as it wrote them. */
    private static Properties child(boolean printed) throws Exception {
        Path figures = Bench.DIR.resolve("snapshot-" + (printed ? "printed" : "alone") + ".properties");
        Files.deleteIfExists(figures);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-D" + PHASE)).toList());
        command.add("-D" + PHASE + "=" + printed);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Bench.class.getName());
        command.add("snapshot");
        Path log = Bench.DIR.resolve("snapshot-" + (printed ? "printed" : "alone") + ".log");
        Bench.progress("%s: a JVM of its own, its output in %s", printed ? "printed" : "Debezium alone", log);
        Process p = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0 || !Files.exists(figures)) {
            throw new IllegalStateException("the snapshot run (" + (printed ? "printed" : "alone") + ") failed: see " + log);
        }
        Properties result = new Properties();
        try (var in = Files.newBufferedReader(figures)) {
            result.load(in);
        }
        return result;
    }

    private static void phase(boolean printed) throws Exception {
        int rows = Bench.intProperty("bench.rows", 1_000_000);
        Path dir = Bench.freshDir(printed ? "snapshot" : "snapshot-alone");
        // the table first, on the stack's own PostgreSQL data, before any connector exists
        try (LocalStack stack = LocalStack.start(StackSettings.randomPorts(dir.resolve("data")))) {
            long t = System.nanoTime();
            Bench.sql(stack, "CREATE SCHEMA IF NOT EXISTS debezium",
                    "CREATE TABLE debezium.snap (id int PRIMARY KEY, name text, price numeric(10,2), qty int, "
                            + "created_at timestamptz DEFAULT now(), note text)",
                    "INSERT INTO debezium.snap (id, name, price, qty, note) SELECT g, 'product ' || g, (g % 10000) / 100.0, "
                            + "g % 97, repeat('x', 64) FROM generate_series(1, " + rows + ") g",
                    "GRANT SELECT ON ALL TABLES IN SCHEMA debezium TO cdc_connector");
            Bench.progress("%d rows in debezium.snap in %d ms", rows, (System.nanoTime() - t) / 1_000_000);
        }
        long start = System.nanoTime();
        long jvmCpuAtStart = CpuUse.processCpu();
        CpuUse cpu = new CpuUse();
        Main app = Bench.startApp(dir, Map.of("cdc.topics", TOPIC));
        long firstAt = 0;
        if (!printed) {
            // Debezium alone: how fast the snapshot reaches Kafka when nothing else wants the CPU
            app.getCamelContext().getRouteController().stopRoute("print-change-events");
            String brokers = Bench.stack(app).kafka().bootstrapServers();
            long inKafka = 0;
            while (inKafka < rows) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
                try {
                    inKafka = ThroughputBench.endOffsets(brokers, TOPIC);
                } catch (java.util.concurrent.ExecutionException e) {
                    inKafka = 0; // the connector has not created the topic yet
                }
                if (inKafka > 0 && firstAt == 0) {
                    firstAt = System.nanoTime();
                }
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(60)) {
                    throw new IllegalStateException("the snapshot did not reach Kafka within 60 minutes");
                }
            }
        } else {
            Bench.awaitCommitted(app, 1, 5, TimeUnit.MINUTES, "no snapshot event");
            firstAt = System.nanoTime();
            Bench.awaitCommitted(app, rows, 60, TimeUnit.MINUTES, "the snapshot did not reach the file");
        }
        long end = System.nanoTime();
        double jvmCoreSeconds = (CpuUse.processCpu() - jvmCpuAtStart) / 1e9;
        double pgCoreSeconds = Bench.postgresCpuSeconds(dir.resolve("data"));
        double rowsPerSecond = rows / ((end - firstAt) / 1e9);
        double perMillion = 1_000_000.0 / rows;
        Bench.figure("snapshot of %d rows, %s: all %s %.1f s after the app's start; %.0f rows/s from the first row; "
                        + "core-s per 1,000,000 rows: JVM %.1f, PostgreSQL %.1f; RSS %d MB",
                rows, printed ? "printed" : "Debezium alone (route stopped)", printed ? "in the file" : "in Kafka",
                (end - start) / 1e9, rowsPerSecond, jvmCoreSeconds * perMillion, pgCoreSeconds * perMillion, Bench.rssMb());
        Bench.figure("  %s", cpu.since());
        Properties figures = new Properties();
        figures.setProperty("rowsPerSecond", Double.toString(rowsPerSecond));
        figures.setProperty("jvmCoreSecondsPerMillion", Double.toString(jvmCoreSeconds * perMillion));
        figures.setProperty("postgresCoreSecondsPerMillion", Double.toString(pgCoreSeconds * perMillion));
        Bench.stop(app);
        try (var out = Files.newBufferedWriter(Bench.DIR.resolve("snapshot-" + (printed ? "printed" : "alone") + ".properties"))) {
            figures.store(out, null);
        }
    }
}
