package io.cdccamel.bench;

import org.apache.camel.main.Main;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.StackSettings;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot: a table of {@code -Dbench.rows} (1,000,000) rows exists before the connector starts;
 * the time from the app's start until every row is in the output file, and rows/s. With
 * {@code -Dbench.route=false} the route is stopped and the figure is Debezium's alone: until every
 * row is in Kafka.
 */
final class SnapshotBench {

    private static final String TOPIC = "postgres.debezium.snap";

    private SnapshotBench() {
    }

    static void run() throws Exception {
        int rows = Bench.intProperty("bench.rows", 1_000_000);
        Path dir = Bench.freshDir("snapshot");
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
        boolean route = Boolean.parseBoolean(System.getProperty("bench.route", "true"));
        long start = System.nanoTime();
        Main app = Bench.startApp(dir, Map.of("cdc.topics", TOPIC));
        if (!route) {
            // Debezium alone: how fast the snapshot reaches Kafka when nothing else wants the CPU
            app.getCamelContext().getRouteController().stopRoute("print-change-events");
            String brokers = Bench.stack(app).kafka().bootstrapServers();
            long firstAt = 0;
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
            long end = System.nanoTime();
            Bench.figure("snapshot of %d rows, Debezium alone (route stopped): all in Kafka %.1f s after the app's start; "
                    + "%.0f rows/s from the first row", rows, (end - start) / 1e9, rows / ((end - firstAt) / 1e9));
            Bench.stop(app);
            return;
        }
        long started = System.nanoTime();
        Bench.awaitCommitted(app, 1, 5, TimeUnit.MINUTES, "no snapshot event");
        long firstAt = System.nanoTime();
        Bench.awaitCommitted(app, rows, 60, TimeUnit.MINUTES, "the snapshot did not reach the file");
        long end = System.nanoTime();
        double total = (end - start) / 1e9;
        double streaming = (end - firstAt) / 1e9;
        Bench.figure("snapshot of %d rows: all in the file %.1f s after the app's start (app up in %.1f s, first row at %.1f s); "
                        + "%.0f rows/s from the first row, %.0f rows/s overall; RSS %d MB",
                rows, total, (started - start) / 1e9, (firstAt - start) / 1e9, rows / streaming, rows / total, Bench.rssMb());
        Bench.stop(app);
    }
}
