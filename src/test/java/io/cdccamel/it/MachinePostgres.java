package io.cdccamel.it;

import io.cdccamel.stack.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PostgreSQL server of the machine's own packages (Debian's, another major version than the
 * embedded one), started by the test in a folder of its own, as a user's database would run:
 * password authentication, no superuser without a password. {@code .ci/run} installs it.
 */
final class MachinePostgres implements AutoCloseable {

    static final String PASSWORD = "machine-secret";

    final Path dir;
    final int port = Ports.freePort();
    final int major;
    private final Path bin;

    private MachinePostgres(Path dir, Path bin, int major) {
        this.dir = dir;
        this.bin = bin;
        this.major = major;
    }

    /**
     * The newest server under /usr/lib/postgresql whose major version is not {@code notMajor}, in a
     * new folder of the system's temporary folder (which user postgres may enter).
     */
    static MachinePostgres create(int notMajor) throws Exception {
        Path root = Path.of("/usr/lib/postgresql");
        List<Integer> majors = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                versions.filter(v -> Files.isExecutable(v.resolve("bin").resolve("initdb")))
                        .map(v -> v.getFileName().toString()).filter(v -> v.matches("\\d+"))
                        .map(Integer::parseInt).filter(v -> v != notMajor).forEach(majors::add);
            }
        }
        assertThat(majors).as("a PostgreSQL server package under %s other than %d (.ci/run installs postgresql-15)",
                root, notMajor).isNotEmpty();
        int major = majors.stream().max(Comparator.naturalOrder()).orElseThrow();
        Path dir = Files.createTempDirectory("cdc-camel-pg" + major + "-");
        MachinePostgres pg = new MachinePostgres(dir, root.resolve(Integer.toString(major)).resolve("bin"), major);
        Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        pg.ownedByServer(dir);
        pg.run(pg.bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth=scram-sha-256", "--pwfile=" + dir.resolve("pw"));
        return pg;
    }

    /** Starts the server with {@code wal_level}; returns once it accepts connections. */
    void start(String walLevel) throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-l", dir.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c wal_level=" + walLevel
                        + " -c max_replication_slots=4 -c max_wal_senders=4", "start");
    }

    void stop() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-m", "fast", "stop");
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    void sql(String... statements) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl(), "postgres", PASSWORD); var s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** PostgreSQL refuses to run as root: as root, the server's files belong to user postgres and it runs as that user. */
    private void ownedByServer(Path path) throws Exception {
        if (isRoot()) {
            exec(List.of("chown", "-R", "postgres", path.toString()));
        }
    }

    private void run(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        exec(full);
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("commands.log").toFile()
                .exists() ? ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile())
                : ProcessBuilder.Redirect.to(dir.resolve("commands.log").toFile())).start();
        assertThat(p.waitFor()).as("%s (see %s)", command, dir.resolve("commands.log")).isZero();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
            stop();
        }
    }
}
