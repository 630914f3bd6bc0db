package io.cdccamel.bench;

import io.cdccamel.testing.Superuser;
import io.cdccamel.stack.Ports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Start, stop and start again as a user meets them: {@code java -Xmx512m -XX:+UseParallelGC -jar <jar>} in a fresh
 * folder (PostgreSQL's initdb included) until the demo row's event is in the output file; the RSS
 * of the whole stack (the JVM and PostgreSQL) then; {@code bench.rows} (100,000) rows inserted and
 * printed; SIGTERM, timed until the JVM is gone; the same command again, timed until a row
 * inserted after that start is printed (restart to streaming), counting the snapshot rows printed
 * again. {@code -Dbench.runs} (3) runs, medians shown; {@code -Dbench.jar} picks another build's
 * jar (its {@code lib/} beside it), so that two versions are measured on the same data. As the
 * README's command does, the JVM maps the class-data-sharing archive beside the jar
 * ({@code cdc-camel.jsa}, written by {@code mvn package}); {@code -Dbench.cds=false} runs without it.
 */
final class StartupBench {

    private static final int MARKER_ID = 2_000_000_000;

    private StartupBench() {
    }

    /** The quick start's JVM options (README), before the archive's. */
    static final List<String> APP_OPTIONS = List.of("-Xmx512m", "-XX:+UseParallelGC");

    static void run() throws Exception {
        int runs = Bench.intProperty("bench.runs", 3);
        int rows = Bench.intProperty("bench.rows", 100_000);
        Path jar = Path.of(System.getProperty("bench.jar", "target/cdc-camel.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: mvn -B -q package -DskipTests");
        }
        // the README's run command maps the class-data-sharing archive built beside the jar
        Path archive = jar.resolveSibling("cdc-camel.jsa");
        boolean cds = Boolean.parseBoolean(System.getProperty("bench.cds", "true")) && Files.exists(archive);
        // without the archive no sharing option at all: Java 24+'s -XX:AOTCache (given in bench.app.jvm) refuses any -Xshare
        List<String> cdsOption = cds ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
        double[] first = new double[runs];
        double[] rss = new double[runs];
        double[] stop = new double[runs];
        double[] restart = new double[runs];
        double[] snapshotAgain = new double[runs];
        for (int run = 0; run < runs; run++) {
            Path dir = Bench.freshDir("startup/run-" + (run + 1));
            Files.createDirectories(dir.resolve("routes"));
            // the route and connector of the jar's own project (its target/ is the jar's folder)
            Path project = jar.getParent().getParent();
            Files.copy(project.resolve("routes").resolve("print-change-events.camel.yaml"),
                    dir.resolve("routes").resolve("print-change-events.camel.yaml"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(project.resolve("debezium_connect.json"), dir.resolve("debezium_connect.json"));
            int pgPort = Ports.freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(APP_OPTIONS);
            // -Dbench.app.jvm="-XX:+UseG1GC ...": options to try beside the quick start's
            String extra = System.getProperty("bench.app.jvm", "").trim();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(cdsOption);
            command.addAll(List.of(
                    "-Dcdc.postgres.port=" + pgPort,
                    "-Dcdc.kafka.ports=" + Ports.freePort() + "," + Ports.freePort() + "," + Ports.freePort(),
                    "-Dcdc.connect.port=" + Ports.freePort(),
                    "-Dcdc.api.port=" + Ports.freePort(),
                    "-Dcamel.main.routes-reload-enabled=false",
                    "-jar", jar.toString()));
            Bench.progress("run %d: %s", run + 1, String.join(" ", command));
            Path file = dir.resolve("output").resolve("postgres.debezium.product.log");
            String jdbc = "jdbc:postgresql://localhost:" + pgPort + "/postgres";

            long start = System.nanoTime();
            Process app = launch(command, dir, 1);
            try {
                awaitOutput(app, file, dir, start, () -> Files.readString(file).contains("Message on ["));
                first[run] = (System.nanoTime() - start) / 1e9;
                rss[run] = stackRssKb(app, pgPort) / 1024.0;
                sql(jdbc, dir, "INSERT INTO debezium.product SELECT g, 'row ' || g FROM generate_series(1000, " + (999 + rows) + ") g");
                awaitOutput(app, file, dir, System.nanoTime(), () -> entries(file) >= rows + 1);
                stop[run] = stop(app);
            } finally {
                kill(app);
            }
            long snapshotBefore = countOp(file, "r");

            start = System.nanoTime();
            Process again = launch(command, dir, 2);
            try {
                while (!tryInsertMarker(jdbc, dir)) {
                    if (!again.isAlive() || System.nanoTime() - start > TimeUnit.MINUTES.toNanos(3)) {
                        throw new IllegalStateException("PostgreSQL did not come back; see " + dir.resolve("console-2.out"));
                    }
                    LockSupport.parkNanos(50_000_000);
                }
                awaitOutput(again, file, dir, start, () -> Files.readString(file).contains("\"id\": " + MARKER_ID));
                restart[run] = (System.nanoTime() - start) / 1e9;
                snapshotAgain[run] = countOp(file, "r") - snapshotBefore;
                stop(again);
            } finally {
                kill(again);
            }
            Bench.progress("run %d: first event after %.1f s, RSS %.0f MB; stop %.1f s; restart to streaming %.1f s,"
                    + " %.0f snapshot rows printed again", run + 1, first[run], rss[run], stop[run], restart[run], snapshotAgain[run]);
        }
        Bench.figure("start-up (%s, %s, fresh folder, %d runs): first event after %.1f s (median; runs %s), RSS of JVM +"
                + " PostgreSQL then %.0f MB (median); with %,d rows: stop (SIGTERM to exit) %.1f s, restart to streaming"
                + " (start to a new row printed) %.1f s (runs %s), snapshot rows printed again %.0f (median)",
                jar.getParent().getParent().getFileName(), cds ? "CDS archive " + archive.getFileName() : "no CDS archive",
                runs, Bench.median(first), format(first), Bench.median(rss), rows,
                Bench.median(stop), Bench.median(restart), format(restart), Bench.median(snapshotAgain));
    }

    private static String format(double[] values) {
        return Arrays.toString(Arrays.stream(values).mapToObj(s -> String.format("%.1f", s)).toArray());
    }

    private static Process launch(List<String> command, Path dir, int run) throws java.io.IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console-" + run + ".out").toFile())).start();
    }

    interface Check {
        boolean done() throws Exception;
    }

    private static void awaitOutput(Process app, Path file, Path dir, long start, Check check) throws Exception {
        long deadline = start + TimeUnit.MINUTES.toNanos(5);
        while (!(Files.exists(file) && check.done())) {
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the output did not get there; see " + dir);
            }
            LockSupport.parkNanos(50_000_000);
        }
    }

    /** SIGTERM; seconds until the JVM has exited. */
    private static double stop(Process app) throws InterruptedException {
        long t0 = System.nanoTime();
        app.destroy();
        if (!app.waitFor(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the app did not stop within 120 s of SIGTERM");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void kill(Process app) throws InterruptedException {
        if (app.isAlive()) {
            app.destroyForcibly().waitFor();
        }
    }

    private static boolean tryInsertMarker(String jdbc, Path dir) {
        try {
            sql(jdbc, dir, "INSERT INTO debezium.product VALUES (" + MARKER_ID + ", 'after the restart')");
            return true;
        } catch (SQLException e) {
            return false; // not up yet
        }
    }

    private static void sql(String jdbc, Path dir, String statement) throws SQLException {
        try (Connection c = Superuser.connect(jdbc, dir.resolve("data")); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The JVM, its children and the postmaster on {@code port} with its processes (pg_ctl may detach it). */
    private static long stackRssKb(Process app, int port) {
        java.util.Set<Long> pids = new java.util.HashSet<>();
        pids.add(app.pid());
        app.descendants().forEach(p -> pids.add(p.pid()));
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains("-p " + port)).orElse(false))
                .forEach(p -> {
                    pids.add(p.pid());
                    p.descendants().forEach(d -> pids.add(d.pid()));
                });
        return pids.stream().mapToLong(Bench::rssKb).sum();
    }

    private static long entries(Path file) throws java.io.IOException {
        return count(Files.readString(file), "Message on [");
    }

    private static long countOp(Path file, String op) throws java.io.IOException {
        return count(Files.readString(file), "\"op\": \"" + op + "\"");
    }

    private static long count(String text, String marker) {
        long n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
            n++;
        }
        return n;
    }
}
