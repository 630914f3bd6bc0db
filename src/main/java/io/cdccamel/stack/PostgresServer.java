package io.cdccamel.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL 17 from the zonky binaries, set up for logical decoding. Its data directory
 * survives restarts; its server log goes to {@code <dir>/postgres.log}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresServer.class);

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final int port;

    private PostgresServer(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    /**
     * Stops a PostgreSQL that an earlier run left on this data directory (a JVM killed before it
     * could stop its child), so that the new start does not fail on a busy port.
     */
    public static void stopLeftover(Path dir) throws IOException {
        Path pidFile = dir.resolve("data").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return;
        }
        ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                .ifPresent(p -> {
                    LOG.warn("Stopping PostgreSQL (pid {}) left running by an earlier run on {}", pid, dir);
                    p.destroy(); // SIGTERM: PostgreSQL's smart shutdown
                    try {
                        p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new StackStartException("PostgreSQL pid " + pid + " left by an earlier run did not stop;"
                                + " stop it (kill " + pid + ") and start again");
                    }
                });
    }

    public static PostgresServer start(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("postgres.log");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(false)
                // the binaries unpack here, not in the shared temp folder
                .setOverrideWorkingDirectory(dir.resolve("binaries").toFile())
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20")
                // zonky turns these off for speed; a CDC source must not lose committed rows
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("listen_addresses", "localhost")
                .start();
        return new PostgresServer(postgres, port);
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
