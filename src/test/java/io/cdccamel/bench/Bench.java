package io.cdccamel.bench;

import io.cdccamel.testing.Superuser;
import io.cdccamel.CdcApplication;
import org.apache.camel.main.Main;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.Ports;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmarks' entry point ({@code bench/run <name>}) and what they share: the real
 * application in embedded mode, in this JVM, on free ports, in a fresh folder under
 * {@code target/bench}. Figures go to standard error (the terminal) and to
 * {@code target/bench/results.txt}; the app's own output goes to standard out (a file).
 */
public final class Bench {

    static final Path DIR = Path.of("target", "bench");
    /** Apps started, stopped (with their stacks) whatever way the bench ends. */
    private static final java.util.List<Main> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final PrintStream FIGURES = System.err;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "";
        try {
            run(name);
        } catch (Throwable t) {
            FIGURES.println(name + " failed: " + t);
            t.printStackTrace();
            stopAll();
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        stopAll();
        // a recording started with -XX:StartFlightRecording=filename=... is written now: halt skips the JVM's own dump
        for (jdk.jfr.Recording recording : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            if (recording.getDestination() != null) {
                recording.stop();
            }
        }
        System.out.flush();
        System.err.flush();
        // the app and its stack are stopped: no shutdown hook of theirs may hold the exit
        Runtime.getRuntime().halt(0);
    }

    private static void run(String name) throws Exception {
        switch (name) {
            case "throughput" -> ThroughputBench.run();
            case "latency" -> LatencyBench.run();
            case "snapshot" -> SnapshotBench.run();
            case "startup" -> StartupBench.run();
            case "workload" -> WorkloadBench.run();
            case "live" -> LiveViewBench.run();
            case "output-open" -> OutputOpenBench.run();
            case "format" -> FormatBench.run();
            case "search" -> SearchBench.run();
            default -> {
                FIGURES.println("usage: bench/run throughput|latency|snapshot|startup|workload|live|output-open|format|search");
                Runtime.getRuntime().halt(2);
            }
        }
    }

    /** A figure line: on the terminal and in target/bench/results.txt. */
    static void figure(String format, Object... args) {
        String line = String.format(format, args);
        FIGURES.println(line);
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve("results.txt"), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void progress(String format, Object... args) {
        FIGURES.printf("  .. " + format + "%n", args);
    }

    /** A fresh, empty folder under target/bench. */
    static Path freshDir(String name) throws IOException {
        Path dir = DIR.resolve(name);
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** The real application, embedded mode, started in this JVM with the given overrides. */
    static Main startApp(Path workDir, Map<String, String> extra) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("cdc.stack.dir", workDir.resolve("data").toString());
        props.put("cdc.postgres.port", "0");
        props.put("cdc.kafka.ports", "0,0,0");
        props.put("cdc.connect.port", "0");
        props.put("cdc.api.port", Integer.toString(Ports.freePort()));
        props.put("cdc.output.dir", workDir.resolve("output").toString());
        props.put("camel.main.routes-reload-enabled", "false");
        props.putAll(extra);
        // -Dcdc.*=... and -Dcamel.*=... on the bench's command line reach the app (to try settings)
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("cdc.") || k.startsWith("camel."))
                .forEach(k -> props.put(k, System.getProperty(k)));
        Main app = CdcApplication.newMain();
        props.forEach(app::addOverrideProperty);
        STARTED.add(app);
        app.start();
        return app;
    }

    private static void stopAll() {
        for (Main app : STARTED) {
            try {
                stop(app);
            } catch (Exception e) {
                FIGURES.println("could not stop the app: " + e);
            }
        }
    }

    /** Stops the app, then its embedded stack (PostgreSQL is a child process: it must not outlive the bench). */
    static void stop(Main app) throws Exception {
        STARTED.remove(app);
        LocalStack stack = stack(app);
        app.stop();
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * Waits until the route has committed {@code records} records (printed, dead-lettered or skipped,
     * then synced and committed); fails with {@code what} after the timeout.
     */
    static void awaitCommitted(Main app, long records, long timeout, TimeUnit unit, String what) {
        io.cdccamel.route.DurableCommits commits = app.getCamelContext().getRegistry()
                .findSingleByType(io.cdccamel.route.DurableCommits.class);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (commits.recordCount() < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " within " + timeout + " " + unit.toString().toLowerCase());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
        }
    }

    static LocalStack stack(Main app) {
        return app.getCamelContext().getRegistry().findSingleByType(LocalStack.class);
    }

    static void sql(LocalStack stack, String... statements) throws SQLException {
        try (Connection c = Superuser.connect(stack);
             Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Resident memory, MB: this JVM and its child processes (PostgreSQL). */
    static long rssMb() {
        long kb = rssKb(ProcessHandle.current().pid());
        kb += ProcessHandle.current().descendants().mapToLong(p -> rssKb(p.pid())).sum();
        return kb / 1024;
    }

    /**
     * CPU seconds of the embedded PostgreSQL of the stack in {@code stackDir} since its postmaster
     * started: the postmaster (not a child of this JVM: {@code pg_ctl} starts it), its running
     * backends, and, through its {@code cutime}/{@code cstime}, the backends that have ended.
     */
    static double postgresCpuSeconds(Path stackDir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(stackDir.resolve("postgres/data/postmaster.pid")).get(0).trim());
            long ticks = cpuTicks(pid, true);
            ticks += ProcessHandle.of(pid).map(p -> p.children().mapToLong(c -> cpuTicks(c.pid(), false)).sum()).orElse(0L);
            return ticks / 100.0; // USER_HZ
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long cpuTicks(long pid, boolean withEndedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withEndedChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return 0; // ended meanwhile
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return 0;
    }

    /** The p-th percentile (0-100) of sorted values, nearest rank. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static int intProperty(String key, int dflt) {
        return Integer.parseInt(System.getProperty(key, Integer.toString(dflt)));
    }
}
