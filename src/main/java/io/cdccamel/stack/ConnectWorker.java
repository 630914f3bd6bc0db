package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.settings.OwnerOnly;
import io.cdccamel.settings.Settings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.util.FutureCallback;

import io.cdccamel.settings.OwnerOnly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kafka Connect worker in distributed mode, REST API included, with Debezium's
 * PostgresConnector found on the classpath. Internal topics keep the seed tutorial's names.
 */
public final class ConnectWorker implements AutoCloseable {

    public static final String GROUP_ID = "cdc-connect";
    /** Bytes per batch of the connectors' producer (docker-compose.yml sets the same). */
    public static final String PRODUCER_BATCH_SIZE = "524288";
    /** Longest life of a connector's transaction in docker-compose.yml, whose events may be as large as the ceiling. */
    public static final String COMPOSE_TRANSACTION_TIMEOUT_MS =
            Integer.toString(RecordLimits.transactionTimeoutMs(RecordLimits.CEILING_BYTES));
    /** First pause before the connectors' producer retries (docker-compose.yml sets the same). */
    public static final String PRODUCER_RETRY_BACKOFF_MS = "10";
    public static final String CONFIG_TOPIC = "my_connect_configs";
    public static final String OFFSET_TOPIC = "my_connect_offsets";
    public static final String STATUS_TOPIC = "my_connect_statuses";
    static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";

    /** Beside the connector role's secrets: the bearer token of the worker's REST API (ConnectRestGuard). */
    public static final String TOKEN_FILE = "connect-token";

    private final Connect<?> connect;
    private final int port;
    private final String token;

    private ConnectWorker(Connect<?> connect, int port, String token) {
        this.connect = connect;
        this.port = port;
        this.token = token;
    }

    /**
     * The REST API's token of the workers that share {@code secretsFile}'s folder: read from
     * {@value #TOKEN_FILE} there, or made (32 random bytes) and written with mode 600 at its
     * creation. It stays across starts: a second worker's JVM and the user's scripts read the same.
     */
    public static String token(Path secretsFile) throws IOException {
        Path file = secretsFile.toAbsolutePath().getParent().resolve(TOKEN_FILE);
        if (Files.exists(file)) {
            String token = Files.readString(file).trim();
            if (token.length() >= 16) {
                return token;
            }
        }
        OwnerOnly.folder(file.getParent());
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Path tmp = Files.createTempFile(file.getParent(), ".connect-token", ".tmp");
        Files.writeString(tmp, token + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return token;
    }

    /**
     * A worker of Connect cluster {@code groupId}: workers of one group share connectors and tasks
     * through the group's internal topics (the seed's names for {@value #GROUP_ID}, else
     * {@code <groupId>-configs}, {@code -offsets}, {@code -statuses}).
     *
     * @param extra worker settings that override these
     */
    public static ConnectWorker start(String bootstrapServers, int port, Path secretsFile,
                                      Duration readyTimeout, String groupId, Map<String, String> extra) throws Exception {
        boolean seed = GROUP_ID.equals(groupId);
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", groupId);
        props.put("config.storage.topic", seed ? CONFIG_TOPIC : groupId + "-configs");
        props.put("offset.storage.topic", seed ? OFFSET_TOPIC : groupId + "-offsets");
        props.put("status.storage.topic", seed ? STATUS_TOPIC : groupId + "-statuses");
        props.put("config.storage.replication.factor", "3");
        props.put("offset.storage.replication.factor", "3");
        props.put("status.storage.replication.factor", "3");
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("key.converter.schemas.enable", "false");
        props.put("value.converter.schemas.enable", "false");
        // the connectors' producer: batches of up to 512 KB (Kafka's default, 16 KB, made a
        // 1,000,000-row snapshot three times slower: each small batch is replicated 3 times)
        props.put("producer.batch.size", PRODUCER_BATCH_SIZE);
        // a change event may be large (RecordLimits): Kafka's 1 MB would fail the task on a big row
        int maxRecord = RecordLimits.maxRecordBytes();
        props.put("producer.max.request.size", Integer.toString(maxRecord));
        props.put("producer.buffer.memory", Long.toString(RecordLimits.producerBufferBytes(maxRecord)));
        // the operating system sizes the sockets' buffers (RecordLimits#keepNoLargeSocketBuffers says why)
        props.put("producer.send.buffer.bytes", "-1");
        props.put("producer.receive.buffer.bytes", "-1");
        // KIP-618: a poll's records and their source offsets go in one Kafka transaction, and the
        // tasks of a dead worker are fenced (debezium_connect.json requires it of the worker)
        props.put("exactly.once.source.support", "enabled");
        // a killed worker's open transaction blocks read_committed readers, this worker's own reading
        // of the offsets topic at start included, until it times out: 10 s, not Kafka's 60 s (a
        // transaction here lasts one poll of Debezium's, milliseconds), unless the events may be big
        props.put("producer.transaction.timeout.ms", Integer.toString(RecordLimits.transactionTimeoutMs(maxRecord)));
        // each poll is a transaction, begun right after the last one's commit, which the coordinator
        // may still be completing (CONCURRENT_TRANSACTIONS, retried): retry after 10 ms, not 100
        // (latency bench, loaded machine: p99 at 1,000 rows/s 153-185 ms with it, 238-255 without)
        props.put("producer.retry.backoff.ms", PRODUCER_RETRY_BACKOFF_MS);
        // with exactly-once, offsets commit in each transaction; this is left for a connector that
        // sets transaction.boundary=interval (its default interval) or runs without exactly-once
        props.put("offset.flush.interval.ms", "1000");
        props.put("listeners", "http://127.0.0.1:" + port);
        // the REST API's Host allow-list and its token for state changes (reads stay open on loopback)
        String token = token(secretsFile);
        props.put("rest.extension.classes", ConnectRestGuard.class.getName());
        props.put(ConnectRestGuard.TOKEN, token);
        props.put(ConnectRestGuard.PORT, Integer.toString(port));
        props.put("rest.advertised.host.name", "localhost");
        props.put("rest.advertised.port", Integer.toString(port));
        // connectors cannot override the worker's Kafka client settings
        props.put("connector.client.config.override.policy", "None");
        // ${env:NAME} in a connector config: the environment, else the stack's secrets file
        props.put("config.providers", "env");
        props.put("config.providers.env.class", EmbeddedSecretsProvider.class.getName());
        props.put("config.providers.env.param." + EmbeddedSecretsProvider.SECRETS_FILE, secretsFile.toAbsolutePath().toString());
        // only the app's own variables (CDC_*), as Kafka's EnvVarConfigProvider's allowlist.pattern
        props.put("config.providers.env.param." + EmbeddedSecretsProvider.ALLOWLIST_PATTERN, EmbeddedSecretsProvider.DEFAULT_ALLOWLIST);
        // a worker that left (a kill -9, a stop) gets its connectors and tasks reassigned at once,
        // not after Connect's default 5 minutes meant for a worker that may come back
        props.put("scheduled.rebalance.max.delay.ms", "0");
        // plugins come from the classpath through ServiceLoader: no plugin.path scan (saves ~4 s)
        props.put("plugin.discovery", "service_load");

        props.putAll(extra);

        createInternalTopics(props);
        // the stack stops Connect itself, in order (before the brokers): no hook of Connect's own
        // racing it at JVM shutdown
        Exit.setShutdownHookAdder((name, runnable) -> { });
        // Connect swaps the starting thread's context class loader: keep that off the caller's thread
        CompletableFuture<Connect<?>> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                started.complete(new ConnectDistributed().startConnect(props));
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        }, "connect-worker-start");
        starter.setDaemon(true);
        starter.start();
        Connect<?> connect = started.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ConnectWorker worker = new ConnectWorker(connect, port, token);
        worker.awaitPostgresPlugin(readyTimeout);
        return worker;
    }

    /**
     * Creates the worker's three internal topics when they are missing, with the settings Connect
     * itself would give them (compacted; 1, 25 and 5 partitions unless the worker settings say
     * otherwise), and waits until every partition has a leader. Connect creates missing ones
     * itself, but reads their end offsets right after: on a new cluster a broker may not know a
     * topic made milliseconds before, and Connect then logs an ERROR with a stack trace and waits
     * a fixed 10 s before it asks again (seen at a first start on 2 busy cores). Kafka's documentation
     * advises creating these topics ahead anyway.
     */
    static void createInternalTopics(Map<String, String> props) throws Exception {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put(props.get("config.storage.topic"), 1);
        wanted.put(props.get("offset.storage.topic"), Integer.parseInt(props.getOrDefault("offset.storage.partitions", "25")));
        wanted.put(props.get("status.storage.topic"), Integer.parseInt(props.getOrDefault("status.storage.partitions", "5")));
        // the worker's own settings reach the cluster: not the app's cdc.kafka.client.*
        try (Admin admin = new KafkaAdmins(props.get("bootstrap.servers"),
                KafkaClientSettings.none()).create("cdc-connect-topics")) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> missing = wanted.keySet().stream().filter(t -> !existing.contains(t)).toList();
            if (missing.isEmpty()) {
                return;
            }
            for (String topic : missing) {
                KafkaAdmins.createTopic(admin, topic, wanted.get(topic), Map.of("cleanup.policy", "compact"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try {
                    boolean led = admin.describeTopics(missing).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                            .flatMap(d -> d.partitions().stream()).allMatch(partition -> partition.leader() != null);
                    if (led) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RetriableException)) {
                        throw e;
                    }
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    /**
     * The REST API answers before the herder has joined its group: wait for the herder itself, in
     * this JVM (what Connect's own {@code GET /health} waits for), not through a REST client of its
     * own; and check that it found Debezium's connector on the classpath. The app's calls to the REST
     * API all go through {@code connect.ConnectApi}.
     */
    private void awaitPostgresPlugin(Duration timeout) throws Exception {
        FutureCallback<Void> healthy = new FutureCallback<>();
        connect.herder().healthCheck(healthy);
        try {
            healthy.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StackStartException("Kafka Connect at " + url() + " was not ready within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new StackStartException("Kafka Connect at " + url() + " is not healthy: " + e.getCause().getMessage());
        }
        boolean found = connect.herder().plugins().sourceConnectors().stream()
                .anyMatch(plugin -> POSTGRES_CONNECTOR.equals(plugin.className()));
        if (!found) {
            throw new StackStartException("Kafka Connect at " + url() + " does not list " + POSTGRES_CONNECTOR
                    + " (Debezium's connector is not on the class path)");
        }
    }

    /**
     * One more worker, in a JVM of its own, for a Connect cluster whose brokers already run:
     * {@code java -cp target/cdc-camel.jar io.cdccamel.stack.ConnectWorker [brokers] [port] [group]}
     * (defaults {@code localhost:9092,localhost:9093,localhost:9094}, {@code 8084}, {@value #GROUP_ID}:
     * it joins the embedded stack's Connect cluster and takes a share of its tasks). It runs until
     * it is stopped (SIGTERM); worker settings can be given as {@code -Dcdc.connect.worker.<key>=<value>},
     * the app's own way to set them for the embedded worker.
     */
    public static void main(String[] args) throws Exception {
        String brokers = args.length > 0 ? args[0] : "localhost:9092,localhost:9093,localhost:9094";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8084;
        String group = args.length > 2 ? args[2] : GROUP_ID;
        Path secrets = Path.of(System.getProperty("cdc.secrets.file",
                "data/secrets/connector.properties"));
        Map<String, String> extra = Settings.systemWithPrefix(StackSettings.CONNECT_WORKER_PREFIX);
        ConnectWorker worker = start(brokers, port, secrets, Duration.ofSeconds(120), group, extra);
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "connect-worker-stop"));
        System.out.println("Kafka Connect worker ready at " + worker.url() + " (group " + group + ", brokers " + brokers + ")");
        worker.connect.awaitStop();
    }

    public String url() {
        return url(port);
    }

    /** The REST address of a worker on {@code port} of this machine. */
    public static String url(int port) {
        return "http://localhost:" + port;
    }

    public int port() {
        return port;
    }

    /** The REST API's bearer token (state changes need it). */
    public String token() {
        return token;
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
