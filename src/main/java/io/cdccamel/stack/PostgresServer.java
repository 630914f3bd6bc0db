package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.cdccamel.folder.FolderLock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 17 from the zonky binaries, set up for logical decoding. Its data directory
 * survives restarts; its server log goes to {@code <dir>/postgres.log}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    /**
     * Logical decoding's settings: the server's, and those of the single-user run before it (a
     * database with logical slots refuses to start with less).
     */
    static final Map<String, String> LOGICAL_DECODING = Map.of(
            "wal_level", "logical", "max_replication_slots", "20", "max_wal_senders", "20",
            // a replication slot nobody reads (the app stopped for days) holds WAL up to this much, then
            // PostgreSQL gives it up rather than fill the disk: twice cdc.slot.max-retained-bytes (4 GB),
            // so that /observe/health says DOWN long before the changes are lost
            "max_slot_wal_keep_size", "8GB");

    private final EmbeddedPostgres postgres;
    private final int port;
    private final Path dir;
    private final String password;

    private PostgresServer(EmbeddedPostgres postgres, int port, Path dir, String password) {
        this.postgres = postgres;
        this.port = port;
        this.dir = dir;
        this.password = password;
    }

    /**
     * Stops a PostgreSQL that an earlier run left on this data directory (a JVM killed before it
     * could stop its child), so that the new start does not fail on a busy port. Only the holder
     * of the stack folder's lock may: a PostgreSQL there is then no live instance's.
     */
    public static void stopLeftover(Path dir) throws IOException {
        if (!FolderLock.heldHere(dir.getParent())) {
            throw new IllegalStateException("Not stopping a PostgreSQL on " + dir + ": this process does not hold "
                    + dir.getParent().resolve(FolderLock.FILE_NAME) + ", another instance may be using it");
        }
        postmaster(dir.resolve("data")).ifPresent(p -> {
            LOG.warn("Stopping PostgreSQL (pid {}) left running by an earlier run on {}", p.pid(), dir);
            fastShutdown(p);
            if (!awaitExit(p, 60)) {
                throw new StackStartException("PostgreSQL pid " + p.pid() + " left by an earlier run did not stop;"
                        + " stop it (kill " + p.pid() + ") and start again");
            }
        });
    }

    /**
     * SIGINT, PostgreSQL's fast shutdown: open sessions (a user's psql) are ended and the server
     * stops after a checkpoint. SIGTERM (smart shutdown) would wait for every session to end.
     */
    private static void fastShutdown(ProcessHandle postmaster) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // no kill command: the smart shutdown below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        postmaster.destroy();
    }

    /** The running postmaster of {@code dataDir}, from its {@code postmaster.pid}. */
    private static Optional<ProcessHandle> postmaster(Path dataDir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not running, or not readable
        }
    }

    private static boolean awaitExit(ProcessHandle process, int seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * @param password the superuser's password ({@code cdc.postgres.password}): every role gives
     *                 its password, the superuser too (see {@link PasswordsForEveryone})
     */
    public static PostgresServer start(Path dir, int port, String password) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("postgres.log");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(false)
                // the binaries unpack here, not in the shared temp folder
                .setOverrideWorkingDirectory(dir.resolve("binaries").toFile())
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                // zonky turns these off for speed; a CDC source must not lose committed rows
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                // loopback only (clients use localhost, which reaches it)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // zonky's readiness check logs in as the superuser, with its password now
                .setConnectConfig("password", password)
                .setDataDirectoryCustomizer(PasswordsForEveryone.customizer(dir, password, LOGICAL_DECODING))
                .setServerConfig("unix_socket_directories", PasswordsForEveryone.socketDirectory(dir))
                .setServerConfig("unix_socket_permissions", "0700");
        LOGICAL_DECODING.forEach(builder::setServerConfig);
        EmbeddedPostgres postgres = builder.start();
        return new PostgresServer(postgres, port, dir, password);
    }

    public int port() {
        return port;
    }

    /** The postmaster's process, from {@code postmaster.pid}; empty when it does not run. */
    public Optional<ProcessHandle> process() {
        return postmaster(dir.resolve("data"));
    }

    /**
     * Processes still running this server's binaries (they unpack under its own folder): after the
     * postmaster died, its backends, which keep its shared memory and make a new start fail until
     * they have gone.
     */
    public List<ProcessHandle> processesLeft() {
        Path binaries;
        try {
            binaries = dir.resolve("binaries").toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().command().map(c -> Path.of(c).startsWith(binaries)).orElse(false)).toList();
        }
    }

    /** Where the server logs (its reason to stop, after a crash). */
    public Path logFile() {
        return dir.resolve("postgres.log");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    /**
     * A fast shutdown. zonky's {@code pg_ctl stop} gives up after a few seconds, while PostgreSQL
     * waits for its WAL senders (Debezium's replication connections) before the shutdown
     * checkpoint: the postmaster is awaited here, so that a start that follows finds it gone.
     */
    @Override
    public void close() throws IOException {
        Optional<ProcessHandle> postmaster = postmaster(dir.resolve("data"));
        postgres.close();
        if (postmaster.isPresent() && postmaster.get().isAlive()) {
            LOG.info("Waiting for PostgreSQL (pid {}) to finish its shutdown", postmaster.get().pid());
            if (!awaitExit(postmaster.get(), 120)) {
                throw new IOException("PostgreSQL (pid " + postmaster.get().pid() + ") did not stop within 120 s");
            }
        }
    }

    /**
     * Lets go of a server that died under the app (zonky's lock on its data folder), so that it can
     * be started again in this JVM. zonky's {@code pg_ctl stop} fails on a server that is gone and logs
     * that at ERROR with a stack trace, which tells nothing here: its logger is quiet meanwhile.
     */
    void forgetDead() {
        String logger = EmbeddedPostgres.class.getName();
        Level level = LogManager.getLogger(logger).getLevel();
        Configurator.setLevel(logger, Level.OFF);
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.debug("Letting the dead PostgreSQL go: {}", e.toString());
        } finally {
            Configurator.setLevel(logger, level);
        }
    }

    /** The same PostgreSQL again, on its data directory and port (after {@link #close()}). */
    public PostgresServer restart() throws IOException {
        return start(dir, port, password);
    }
}
