package io.cdccamel.stack;

import io.cdccamel.base.Published;
import io.cdccamel.base.StackStartException;
import io.cdccamel.folder.FolderLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The whole embedded stack, started in order (PostgreSQL, Kafka, Connect) and stopped in reverse.
 * Everything is real and in this JVM, except PostgreSQL, which is a child process.
 */
@Published
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private volatile PostgresServer postgres;
    private volatile String connectToken;
    private volatile KafkaCluster kafka;
    private volatile ConnectWorker connect;
    private volatile CompletableFuture<ConnectWorker> connectStart =
            CompletableFuture.failedFuture(new StackStartException("Kafka Connect was not started"));
    private volatile int connectPort;
    private volatile Duration startTimeout = Duration.ofSeconds(120);
    private volatile boolean closed;
    /** The data folder's lock, let go when the stack has stopped. */
    private volatile FolderLock dataLock;
    /** Why PostgreSQL is not running while it should; null while it runs. */
    private volatile String postgresDown;
    private volatile String postgresPassword;
    private volatile boolean postgresStopPlanned;
    private final AtomicLong postgresRestarts = new AtomicLong();
    private volatile Consumer<String> onPostgresLost = reason -> { };

    /** Restarts of a PostgreSQL that died under the stack, before it gives up (and {@link #onPostgresLost} runs). */
    static final int POSTGRES_RESTART_TRIES = 5;

    /**
     * Starts every part and returns once all of them are up. {@code onStarting} receives the stack
     * before anything starts, so that a shutdown hook can stop whatever did start if the JVM is
     * stopped half-way.
     */
    public static LocalStack start(StackSettings settings, Consumer<LocalStack> onStarting) throws Exception {
        LocalStack stack = startWithConnectPending(settings, onStarting);
        try {
            stack.awaitConnect();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Starts PostgreSQL and Kafka, and returns while Kafka Connect's worker is still starting
     * (its own thread): the app builds and starts Camel meanwhile, and waits with
     * {@link #awaitConnect()} where it needs Connect. Connect's address is known from the start.
     */
    public static LocalStack startWithConnectPending(StackSettings settings, Consumer<LocalStack> onStarting)
            throws Exception {
        // one folder, one instance: the app took the lock first thing (FolderLocks); a stack started
        // alone takes it here, before anything in the folder is read or stopped. Either way the stack
        // lets it go once everything in the folder has stopped (close())
        Optional<FolderLock> taken = FolderLock.held(settings.dir());
        FolderLock lock = taken.isPresent() ? taken.get() : FolderLock.take(settings.dir(), "cdc.stack.dir");
        LocalStack stack = new LocalStack();
        stack.dataLock = lock;
        int pgPort;
        List<Integer> brokerPorts = new ArrayList<>();
        int connectPort;
        boolean fresh;
        try {
            // a PostgreSQL that a killed JVM left behind goes first: its data folder may be reset below
            if (settings.postgres()) {
                PostgresServer.stopLeftover(settings.dir().resolve("postgres"));
            }
            fresh = DataDirs.prepare(settings.dir(), settings.reset());
            // claim every port first: a busy port fails in milliseconds, before anything has started
            pgPort = settings.postgres() ? Ports.claim(settings.postgresPort(), StackSettings.POSTGRES_PORT) : -1;
            for (int p : settings.brokerPorts()) {
                brokerPorts.add(Ports.claim(p, StackSettings.KAFKA_PORTS));
            }
            connectPort = Ports.claim(settings.connectPort(), StackSettings.CONNECT_PORT);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
        int controllerPort = Ports.freePort();
        stack.connectPort = connectPort;
        stack.startTimeout = settings.startTimeout();
        onStarting.accept(stack);
        try {
            LOG.info(fresh ? "Embedded stack: first start in {}" : "Embedded stack: starting again on the data in {}",
                    settings.dir().toAbsolutePath());
            stack.startParts(settings, pgPort, brokerPorts, controllerPort, connectPort);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    public static LocalStack start(StackSettings settings) throws Exception {
        return start(settings, s -> { });
    }

    /**
     * PostgreSQL (its own process) starts beside the Kafka nodes, then Connect, which needs the
     * brokers (and reaches PostgreSQL only when its task starts): at a first start initdb's 6 s no
     * longer add to Kafka's. Connect starts in a thread of its own once both are up.
     */
    private void startParts(StackSettings settings, int pgPort, List<Integer> brokerPorts, int controllerPort, int connectPort)
            throws Exception {
        long t0 = System.nanoTime();
        Path secrets = secretsFile(settings);
        connectToken = ConnectWorker.token(secrets);
        if (settings.postgres()) {
            // the superuser's password: the user's, or this install's own, kept under secrets/ (never the tutorial's)
            postgresPassword = PostgresPassword.resolve(settings.dir(), settings.postgresPassword());
            PostgresPassword.writePgpass(settings.dir(), pgPort, postgresPassword);
        }
        String superuserPassword = postgresPassword;
        CompletableFuture<Void> database = settings.postgres() ? CompletableFuture.runAsync(() -> {
            try {
                LOG.info("Starting PostgreSQL on 127.0.0.1:{} (data in {})", pgPort, settings.dir().resolve("postgres"));
                postgres = PostgresServer.start(settings.dir().resolve("postgres"), pgPort, superuserPassword);
                watch(postgres);
                ConnectorRole.ensure(postgres.jdbcUrl(), PostgresServer.USER, superuserPassword,
                        ConnectorRole.password(secrets));
                LOG.info("PostgreSQL ready in {} ms (connector role {}, publication {})", millisSince(t0),
                        ConnectorRole.ROLE, ConnectorRole.PUBLICATION);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, inThread("cdc-postgres-start")) : CompletableFuture.runAsync(() -> {
            try {
                // the user's own PostgreSQL (cdc.postgres.embedded=false): only the role's password is ours
                ConnectorRole.password(secrets);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        try {
            LOG.info("Starting 3 Kafka brokers on 127.0.0.1 ports {} and a KRaft controller on port {}", brokerPorts, controllerPort);
            List<Integer> scramPorts = new ArrayList<>();
            if (settings.scramListener()) {
                brokerPorts.forEach(p -> scramPorts.add(Ports.freePort()));
            }
            kafka = KafkaCluster.start(settings.dir().resolve("kafka"), brokerPorts, scramPorts, controllerPort,
                    settings.startTimeout());
            LOG.info("Kafka ready in {} ms: {}", millisSince(t0), kafka.bootstrapServers());
        } finally {
            // whatever Kafka did, PostgreSQL's start is waited for: close() must see what it started
            awaitDatabase(database);
        }
        long t2 = System.nanoTime();
        LOG.info("Starting Kafka Connect (distributed) on http://127.0.0.1:{}", connectPort);
        String brokers = kafka.bootstrapServers();
        connectStart = CompletableFuture.supplyAsync(() -> {
            try {
                connect = ConnectWorker.start(brokers, connectPort, secrets, settings.startTimeout(),
                        ConnectWorker.GROUP_ID, settings.connectWorker());
                LOG.info("Kafka Connect ready in {} ms; embedded stack up in {} ms", millisSince(t2), millisSince(t0));
                return connect;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, inThread("cdc-connect-start"));
    }

    /** Runs a part's start in a daemon thread of its own, named for the log. */
    private static Executor inThread(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.start();
        };
    }

    /**
     * Waits until Kafka Connect's worker is up (it lists Debezium's connector plugin).
     *
     * @throws StackStartException when it failed to start, or did not within the start timeout
     */
    public ConnectWorker awaitConnect() {
        try {
            return connectStart.get(startTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = startFailure(e);
            if (cause instanceof StackStartException s) {
                throw s;
            }
            throw new StackStartException("Kafka Connect failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            throw new StackStartException("Kafka Connect did not start within " + startTimeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException("Interrupted while Kafka Connect was starting", e);
        }
    }

    /**
     * The embedded PostgreSQL superuser's password of this start ({@code cdc.postgres.password}, or
     * the install's own in {@code secrets/postgres-password}); null when no embedded PostgreSQL runs.
     */
    public String postgresPassword() {
        return postgresPassword;
    }

    /** The token of Connect's REST API for state changes, known before its worker is up. */
    public String connectToken() {
        return connectToken;
    }

    /** Connect's REST address, known before its worker is up. */
    public String connectUrl() {
        return ConnectWorker.url(connectPort);
    }

    public int connectPort() {
        return connectPort;
    }

    private static void awaitDatabase(CompletableFuture<Void> database) throws Exception {
        try {
            database.join();
        } catch (CompletionException e) {
            if (startFailure(e) instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** What made a part's start fail, out of the future's wrapping (and the task's own). */
    private static Throwable startFailure(Throwable wrapped) {
        Throwable cause = wrapped.getCause();
        return cause instanceof CompletionException c && c.getCause() != null ? c.getCause() : cause;
    }

    /** Where the embedded stack keeps the connector role's generated password. */
    public static Path secretsFile(StackSettings settings) {
        return settings.dir().resolve("secrets").resolve("connector.properties");
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public KafkaCluster kafka() {
        return kafka;
    }

    public ConnectWorker connect() {
        return connect;
    }

    /** Stops PostgreSQL (a fast shutdown: sessions and replication connections are cut); not restarted by itself. */
    public synchronized void stopPostgres() throws IOException {
        LOG.warn("Stopping PostgreSQL on localhost:{}", postgres.port());
        postgresStopPlanned = true;
        postgres.close();
    }

    /** Starts PostgreSQL again on its data directory and port. */
    public synchronized void startPostgres() throws IOException {
        postgres = postgres.restart();
        postgresStopPlanned = false;
        watch(postgres);
        LOG.info("PostgreSQL running again on localhost:{}", postgres.port());
    }

    /** Why PostgreSQL is not running while it should (it died under the stack); null while it runs. */
    public String postgresDown() {
        return postgresDown;
    }

    /** How many times PostgreSQL was started again after it died under the stack. */
    public long postgresRestarts() {
        return postgresRestarts.get();
    }

    /**
     * What to do when PostgreSQL died and {@value #POSTGRES_RESTART_TRIES} starts again failed (the
     * app stops whole); by default the stack stays up with {@link #postgresDown()} said.
     */
    public void onPostgresLost(Consumer<String> action) {
        onPostgresLost = action;
    }

    /** {@code processes} still alive after waiting up to {@code max} for them to end. */
    private static List<ProcessHandle> awaitGone(List<ProcessHandle> processes, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // still running: said below
            }
        }
        return processes.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** When {@code server}'s postmaster ends without a stop of ours, it is said and started again. */
    private void watch(PostgresServer server) {
        server.process().ifPresentOrElse(
                postmaster -> postmaster.onExit().thenRunAsync(() -> postgresExited(server, postmaster.pid()),
                        inThread("cdc-postgres-restart")),
                () -> LOG.warn("PostgreSQL on localhost:{} runs with no postmaster.pid to watch: a crash of it would not"
                        + " be noticed here", server.port()));
    }

    private void postgresExited(PostgresServer server, long pid) {
        synchronized (this) {
            if (closed || postgresStopPlanned || postgres != server) {
                return; // stopped by us: the stack's stop, or stopPostgres()
            }
            postgresDown = "PostgreSQL (pid " + pid + ") on localhost:" + server.port() + " stopped unexpectedly";
        }
        long t0 = System.nanoTime();
        LOG.error("{}: Debezium reads no changes and writes to it fail until it runs again. Starting it again on the"
                        + " same data folder and port (up to {} tries); why it stopped is in {}", postgresDown,
                POSTGRES_RESTART_TRIES, server.logFile().toAbsolutePath());
        server.forgetDead();
        long backoffMillis = 1_000;
        for (int attempt = 1; attempt <= POSTGRES_RESTART_TRIES; attempt++) {
            // its backends end once they see the postmaster gone; while one runs, PostgreSQL refuses to
            // start (its shared memory is in use) and zonky's failed start would keep the data folder locked
            List<ProcessHandle> left = awaitGone(server.processesLeft(), Duration.ofSeconds(5));
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (!left.isEmpty()) {
                    postgresDown = "PostgreSQL (pid " + pid + ") on localhost:" + server.port() + " stopped unexpectedly and"
                            + " its processes " + left.stream().map(ProcessHandle::pid).toList() + " still run (try "
                            + attempt + " of " + POSTGRES_RESTART_TRIES + "): it cannot start again until they end (kill them)";
                    LOG.error(postgresDown);
                } else {
                    try {
                        postgres = server.restart();
                        postgresRestarts.incrementAndGet();
                        postgresDown = null;
                        watch(postgres);
                        LOG.warn("PostgreSQL running again on localhost:{} ({} ms after it stopped, try {}); Debezium's"
                                + " task reconnects by itself", server.port(), millisSince(t0), attempt);
                        return;
                    } catch (Exception e) {
                        postgresDown = "PostgreSQL (pid " + pid + ") on localhost:" + server.port() + " stopped unexpectedly"
                                + " and did not start again (try " + attempt + " of " + POSTGRES_RESTART_TRIES + "): "
                                + e.getMessage();
                        LOG.error("{}; see {}", postgresDown, server.logFile().toAbsolutePath());
                    }
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(backoffMillis); // a pause between tries, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, 15_000);
        }
        LOG.error("PostgreSQL on localhost:{} could not be started again after {} tries: cdc-camel stops rather than"
                + " run without its database. Read {}, fix what it says, and start cdc-camel again", server.port(),
                POSTGRES_RESTART_TRIES, server.logFile().toAbsolutePath());
        onPostgresLost.accept(postgresDown);
    }

    /**
     * Stops Connect, then the brokers (controlled shutdown) and the controller, then PostgreSQL.
     * Safe to call twice, from any thread.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // a worker still starting (a stop during the start) is let finish for up to 20 s, then
        // stopped: it cannot be cut half-way
        ConnectWorker worker = connect;
        if (worker == null && !connectStart.isDone()) {
            try {
                worker = connectStart.get(Math.min(startTimeout.toMillis(), 20_000), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("Kafka Connect did not finish starting before the stop: {}", e.toString());
            }
        }
        if (postgres == null && kafka == null && worker == null) {
            releaseDataLock();
            return;
        }
        long t0 = System.nanoTime();
        LOG.info("Stopping the embedded stack");
        closeQuietly("Kafka Connect", worker);
        closeQuietly("Kafka", kafka);
        closeQuietly("PostgreSQL", postgres);
        LOG.info("Embedded stack stopped in {} ms", millisSince(t0));
        releaseDataLock();
    }

    private void releaseDataLock() {
        FolderLock lock = dataLock;
        dataLock = null;
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warn("Could not let {} go: {}", lock.dir(), e.toString());
            }
        }
    }

    private static void closeQuietly(String name, AutoCloseable c) {
        if (c == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            c.close();
            LOG.info("{} stopped in {} ms", name, millisSince(t0));
        } catch (Exception e) {
            LOG.warn("Error while stopping {}: {}", name, e.toString());
        }
    }
}
