package io.cdccamel.bench;

import io.cdccamel.testing.Superuser;
import org.apache.camel.main.Main;
import io.cdccamel.stack.LocalStack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A realistic multi-table workload with the default settings (every table of schema
 * {@code debezium} printed): a keyed table and two keyless ones (REPLICA IDENTITY FULL from the
 * event trigger, identical rows included), {@code bench.rows} (100,000) rows per table inserted,
 * then a fifth of them updated and a tenth deleted, in transactions of 1,000 rows; then the
 * events printed are counted per table and op and compared with what was done.
 */
final class WorkloadBench {

    private static final String[] TABLES = {"orders", "audit_log", "tags"};

    private WorkloadBench() {
    }

    static void run() throws Exception {
        int rows = Bench.intProperty("bench.rows", 100_000);
        Path dir = Bench.freshDir("workload");
        Main app = Bench.startApp(dir, Map.of());
        LocalStack stack = Bench.stack(app);
        // the changes stream, as a user's would: after the connector's snapshot of the demo table
        Path demo = dir.resolve("output").resolve("postgres.debezium.product.log");
        long started = System.nanoTime();
        while (!(Files.exists(demo) && Files.readString(demo).contains("Message on [")
                && app.getCamelContext().getRegistry().findSingleByType(io.cdccamel.connect.ConnectorRegistration.class).state() == io.cdccamel.connect.ConnectorRegistration.State.RUNNING)) {
            if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(3)) {
                throw new IllegalStateException("the connector did not start streaming");
            }
            LockSupport.parkNanos(100_000_000L);
        }
        Bench.sql(stack, "CREATE TABLE debezium.orders (id bigint PRIMARY KEY, item text, qty int)",
                // keyless, as many logging tables are; two rows may be identical
                "CREATE TABLE debezium.audit_log (n bigint, what text)",
                "CREATE TABLE debezium.tags (n bigint, tag text)");
        // the app gives a table created later REPLICA IDENTITY FULL at its next look (cdc.capture.refresh.ms)
        boolean full = !"false".equals(System.getProperty("cdc.capture.replica-identity-full"));
        long looked = System.nanoTime();
        while (full && !"FULL".equals(replicaIdentity(stack, "debezium.orders"))) {
            if (System.nanoTime() - looked > TimeUnit.MINUTES.toNanos(1)) {
                throw new IllegalStateException("debezium.orders did not get REPLICA IDENTITY FULL");
            }
            LockSupport.parkNanos(200_000_000L);
        }
        long walStart = walPosition(stack);
        long t0 = System.nanoTime();
        for (int from = 1; from <= rows; from += 1_000) {
            int to = Math.min(rows, from + 999);
            Bench.sql(stack, "BEGIN",
                    "INSERT INTO debezium.orders SELECT g, 'item ' || g, 1 FROM generate_series(" + from + ", " + to + ") g",
                    "INSERT INTO debezium.audit_log SELECT g / 2, 'same' FROM generate_series(" + from + ", " + to + ") g",
                    "INSERT INTO debezium.tags SELECT g, 'tag ' || (g % 7) FROM generate_series(" + from + ", " + to + ") g",
                    "COMMIT");
        }
        for (int from = 1; from <= rows; from += 5_000) {
            int to = Math.min(rows, from + 999); // a fifth of the rows
            Bench.sql(stack, "BEGIN",
                    "UPDATE debezium.orders SET qty = qty + 1 WHERE id BETWEEN " + from + " AND " + to,
                    "UPDATE debezium.tags SET tag = tag || '!' WHERE n BETWEEN " + from + " AND " + to,
                    "COMMIT");
        }
        for (int from = 1; from <= rows; from += 10_000) {
            int to = Math.min(rows, from + 999); // a tenth
            Bench.sql(stack, "DELETE FROM debezium.orders WHERE id BETWEEN " + from + " AND " + to,
                    "DELETE FROM debezium.audit_log WHERE n BETWEEN " + (from / 2) + " AND " + (to / 2));
        }
        Map<String, long[]> expected = new TreeMap<>();
        try (var c = Superuser.connect(stack);
             var s = c.createStatement()) {
            for (String table : TABLES) {
                try (var rs = s.executeQuery("SELECT count(*) FROM debezium." + table)) {
                    rs.next();
                    expected.put(table, new long[] {rs.getLong(1)});
                }
            }
        }
        double sqlSeconds = (System.nanoTime() - t0) / 1e9;
        long walBytes = walPosition(stack) - walStart;
        Bench.progress("%,d rows per table written in %.1f s; waiting for the output", rows, sqlSeconds);

        // what was done, per table: inserts, updates (a fifth of orders and of tags), deletes (what is gone)
        Map<String, Map<String, Long>> done = new TreeMap<>();
        for (String table : TABLES) {
            long left = expected.get(table)[0];
            long updates = "audit_log".equals(table) ? 0 : rows / 5;
            Map<String, Long> ops = new TreeMap<>(Map.of("c", (long) rows));
            if (updates > 0) {
                ops.put("u", updates);
            }
            if (rows - left > 0) {
                ops.put("d", rows - left);
            }
            done.put(table, ops);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Bench.intProperty("bench.wait.s", 600));
        Map<String, Map<String, Long>> printed = count(dir.resolve("output"));
        while (!printed.equals(done) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(500_000_000L);
            printed = count(dir.resolve("output"));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        boolean exact = printed.equals(done);
        StringBuilder report = new StringBuilder();
        for (String table : TABLES) {
            report.append(String.format("%n    postgres.debezium.%s: printed %s, done %s (rows left %,d)",
                    table, printed.get(table), done.get(table), expected.get(table)[0]));
        }
        long total = printed.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        Bench.figure("workload (3 tables, 2 keyless, %,d rows each, updates and deletes; replica identity of orders: %s):"
                + " %,d events printed in %.1f s (SQL %.1f s, WAL written %,d bytes); printed exactly what was done: %s%s", rows,
                replicaIdentity(stack, "debezium.orders"), total, seconds, sqlSeconds, walBytes, exact, report);
        Bench.stop(app);
        if (!exact) {
            throw new IllegalStateException("the output does not match what was done");
        }
    }

    /** PostgreSQL's current WAL position, in bytes. */
    private static long walPosition(LocalStack stack) throws java.sql.SQLException {
        try (var c = Superuser.connect(stack);
             var rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** FULL or DEFAULT: what {@code cdc.capture.replica-identity-full} gave the keyed table. */
    private static String replicaIdentity(LocalStack stack, String table) throws java.sql.SQLException {
        try (var c = Superuser.connect(stack);
             var rs = c.createStatement().executeQuery("SELECT CASE relreplident WHEN 'f' THEN 'FULL' ELSE 'DEFAULT' END "
                     + "FROM pg_class WHERE oid = '" + table + "'::regclass")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Events per table and op in the output files (tombstones not counted). */
    private static Map<String, Map<String, Long>> count(Path output) throws java.io.IOException {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (String table : TABLES) {
            Path file = output.resolve("postgres.debezium." + table + ".log");
            if (!Files.exists(file)) {
                continue;
            }
            Map<String, Long> ops = new TreeMap<>();
            // line by line: the files grow to hundreds of MB; an envelope's own op is one tab in
            try (var lines = Files.lines(file)) {
                lines.filter(l -> l.startsWith("\t\"op\": \"") && l.length() == 11)
                        .forEach(l -> ops.merge(l.substring(8, 9), 1L, Long::sum));
            }
            counts.put(table, ops);
        }
        return counts;
    }
}
