package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import io.cdccamel.stack.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole application in embedded mode as a child process, as a user runs it: its own data
 * folder, output and ports, kept across its runs, so that a test can stop it (SIGTERM), kill it
 * (SIGKILL) and start it again on the same data.
 */
final class EmbeddedApp implements AutoCloseable {

    static final String TOPIC = "postgres.debezium.product";
    private static final Pattern STACK_TRACE = Pattern.compile("^(\\s+at \\S+\\(.*\\)|Caused by: .*|\\s+\\.\\.\\. \\d+ more)$");

    final Path dir;
    final int postgresPort = Ports.freePort();
    final List<Integer> brokerPorts = List.of(Ports.freePort(), Ports.freePort(), Ports.freePort());
    final int connectPort = Ports.freePort();
    final int apiPort = Ports.freePort();
    private final List<Process> runs = new ArrayList<>();
    /** More {@code -Dkey=value} settings of every run (the user's own PostgreSQL, say). */
    final List<String> settings = new ArrayList<>();
    /** The JVM's heap option, the quick start's unless a test needs another. */
    String heap = "-Xmx512m";
    /** The JVM's garbage collector option, the quick start's unless a test needs another. */
    String gc = "-XX:+UseParallelGC";
    /** How long a start may take to the banner: a first start on a machine loaded by other builds took 150 s. */
    /** How long {@link #start()} waits for the banner (5 min: the stack took 120 s at a load of 40 on 2 cores). */
    Duration startTimeout = Duration.ofSeconds(300);

    EmbeddedApp(String name) throws IOException {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), name);
    }

    Path output() {
        return dir.resolve("output").resolve(TOPIC + ".log");
    }

    Path console(int run) {
        return dir.resolve("console-" + run + ".txt");
    }

    Path logFile(int run) {
        return dir.resolve("logs-" + run).resolve("cdc-camel.log");
    }

    /** This app's {@code cdc.stack.dir}. */
    Path stackDir() {
        return dir.resolve("data");
    }

    Path postgresData() {
        return dir.resolve("data").resolve("postgres").resolve("data");
    }

    String brokers() {
        return brokerPorts.stream().map(p -> "localhost:" + p).reduce((a, b) -> a + "," + b).orElseThrow();
    }

    /** Starts run {@code runs+1} and waits for the banner ({@link #startTimeout}); returns the process. */
    Process start() throws Exception {
        return start(startTimeout);
    }

    /** As {@link #start()}, waiting up to {@code timeout} for the banner (a first start on a loaded machine). */
    Process start(Duration timeout) throws Exception {
        int run = runs.size() + 1;
        Process process = launch(run);
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("run %d exited; see %s", run, console(run)).isTrue();
            return Files.readString(console(run)).contains("cdc-camel is streaming");
        });
        return process;
    }

    /** Starts a run that is expected to stop by itself; returns its exit code once it has. */
    int startExpectingExit() throws Exception {
        int run = runs.size() + 1;
        Process process = launch(run);
        assertThat(process.waitFor(150, java.util.concurrent.TimeUnit.SECONDS)).as("run %d stopped by itself", run).isTrue();
        return process.exitValue();
    }

    private Process launch(int run) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap, gc,
                "-cp", System.getProperty("java.class.path"),
                "-Dcdc.log.dir=" + dir.resolve("logs-" + run),
                "-Dcdc.stack.dir=" + stackDir(),
                "-Dcdc.output.dir=" + dir.resolve("output"),
                "-Dcdc.postgres.port=" + postgresPort,
                "-Dcdc.kafka.ports=" + brokerPorts.get(0) + "," + brokerPorts.get(1) + "," + brokerPorts.get(2),
                "-Dcdc.connect.port=" + connectPort,
                "-Dcdc.api.port=" + apiPort,
                "-Dcamel.main.routes-reload-enabled=false"));
        command.addAll(settings);
        command.add("io.cdccamel.CdcApplication");
        Process process = CleanEnvironment.of(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(console(run).toFile()).start();
        runs.add(process);
        return process;
    }

    /** SIGTERM, as Ctrl-C; waits for the JVM to end and returns how long that took in ms. */
    long stop(Process process) throws Exception {
        List<ProcessHandle> family = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        long t0 = System.nanoTime();
        process.destroy();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // PostgreSQL runs detached from the JVM (pg_ctl): it must be gone too
        await().atMost(Duration.ofSeconds(30)).until(() -> family.stream().noneMatch(ProcessHandle::isAlive)
                && postmaster().isEmpty());
        return millis;
    }

    /** SIGKILL: the JVM ends at once; its PostgreSQL child goes on running. */
    void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Lines of {@code file} from the first one containing {@code from}: ERROR lines and stack-trace lines. */
    static List<String> errorsAndStackTraces(Path file, String from) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(from)) {
                start = i;
                break;
            }
        }
        return lines.subList(start, lines.size()).stream()
                .filter(l -> l.contains(" ERROR ") || STACK_TRACE.matcher(l).matches()).toList();
    }

    void sql(String... statements) throws SQLException {
        try (Connection c = Superuser.connect(postgresPort, stackDir());
             Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The postmaster on this app's data folder, if one runs. */
    Optional<ProcessHandle> postmaster() {
        try {
            long pid = Long.parseLong(Files.readAllLines(postgresData().resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Ends every run still alive and a PostgreSQL a killed run left. */
    @Override
    public void close() {
        for (Process p : runs) {
            if (p.isAlive()) {
                p.destroy();
                try {
                    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        postmaster().ifPresent(pm -> {
            pm.destroy();
            pm.onExit().join();
        });
    }
}
