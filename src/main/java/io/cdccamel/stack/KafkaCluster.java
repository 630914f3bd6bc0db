package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.KafkaClientSettings;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Three Kafka brokers and one KRaft controller in this JVM: Kafka's own servers
 * ({@link KafkaRaftServer}, one per node), with their storage kept under one folder, so that a
 * start after a stop, or after the JVM was killed, is the same cluster with its topics, consumer
 * offsets and Connect state.
 * <p>
 * Layout: node {@value #CONTROLLER_ID} is the controller (a static quorum of one voter:
 * {@code controller.quorum.voters}), nodes 0, 1, 2 are brokers, each with one listener on
 * 127.0.0.1 at its fixed port (clients and replication); the controller listens on 127.0.0.1 at a
 * port picked at each start. One controller rather than three combined nodes: in one JVM the
 * nodes live and die together, so more voters buy no availability, and a lone broker can be
 * stopped and started (the tutorial's failover) without touching the quorum.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);

    public static final int CONTROLLER_ID = 3000;
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String BROKER_LISTENER = "PLAINTEXT";
    /** The optional second listener of each broker: SASL_PLAINTEXT with SCRAM-SHA-256 (tests of a secured cluster). */
    static final String SCRAM_LISTENER = "SASL";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";
    /** Written once at the first start: the cluster id every node is formatted with. */
    static final String CLUSTER_FILE = "cluster.properties";
    private static final String CLUSTER_ID_KEY = "cluster.id";

    private final String clusterId;
    private final boolean created;
    private final List<Integer> hostPorts;
    private List<Integer> scramPorts = List.of();
    private final Map<Integer, Map<String, String>> brokerConfigs;
    private final Map<Integer, KafkaRaftServer> running = new LinkedHashMap<>();
    private KafkaRaftServer controller;

    private KafkaCluster(String clusterId, boolean created, List<Integer> hostPorts,
                         Map<Integer, Map<String, String>> brokerConfigs) {
        this.clusterId = clusterId;
        this.created = created;
        this.hostPorts = List.copyOf(hostPorts);
        this.brokerConfigs = brokerConfigs;
    }

    /**
     * Starts the cluster kept in {@code dir}, formatting it first when it is new.
     *
     * @param hostPorts      one fixed port per broker (clients and replication)
     * @param controllerPort the controller's port
     */
    public static KafkaCluster start(Path dir, List<Integer> hostPorts, int controllerPort, Duration readyTimeout)
            throws Exception {
        return start(dir, hostPorts, List.of(), controllerPort, readyTimeout);
    }

    /**
     * @param scramPorts empty, or one more port per broker for a SASL_PLAINTEXT listener with
     *                   SCRAM-SHA-256 (users are made with {@code Admin.alterUserScramCredentials})
     */
    public static KafkaCluster start(Path dir, List<Integer> hostPorts, List<Integer> scramPorts, int controllerPort,
                                     Duration readyTimeout) throws Exception {
        KafkaFaults.install();
        Files.createDirectories(dir);
        Path clusterFile = dir.resolve(CLUSTER_FILE);
        boolean created = !Files.exists(clusterFile);
        String clusterId = created ? newClusterId(clusterFile) : readClusterId(clusterFile);

        String voters = CONTROLLER_ID + "@127.0.0.1:" + controllerPort;
        Map<String, String> controllerConfig = common(voters);
        controllerConfig.put("process.roles", "controller");
        controllerConfig.put("node.id", Integer.toString(CONTROLLER_ID));
        controllerConfig.put("listeners", CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        controllerConfig.put("log.dirs", dir.resolve("controller-" + CONTROLLER_ID).toAbsolutePath().toString());
        // topic defaults belong to the controller role in KRaft
        controllerConfig.put("num.partitions", "3");
        controllerConfig.put("default.replication.factor", "3");

        Map<Integer, Map<String, String>> brokerConfigs = new LinkedHashMap<>();
        for (int id = 0; id < hostPorts.size(); id++) {
            Map<String, String> broker = common(voters);
            broker.put("process.roles", "broker");
            broker.put("node.id", Integer.toString(id));
            broker.put("listeners", BROKER_LISTENER + "://127.0.0.1:" + hostPorts.get(id));
            broker.put("advertised.listeners", BROKER_LISTENER + "://localhost:" + hostPorts.get(id));
            broker.put("inter.broker.listener.name", BROKER_LISTENER);
            if (!scramPorts.isEmpty()) {
                broker.put("listeners", broker.get("listeners") + "," + SCRAM_LISTENER + "://127.0.0.1:" + scramPorts.get(id));
                broker.put("advertised.listeners", broker.get("advertised.listeners") + "," + SCRAM_LISTENER
                        + "://localhost:" + scramPorts.get(id));
                broker.put("listener.security.protocol.map", broker.get("listener.security.protocol.map") + ","
                        + SCRAM_LISTENER + ":SASL_PLAINTEXT");
                broker.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
                broker.put("listener.name." + SCRAM_LISTENER.toLowerCase(Locale.ROOT) + "."
                        + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            broker.put("log.dirs", dir.resolve("broker-" + id).toAbsolutePath().toString());
            brokerConfigs.put(id, broker);
        }

        format(clusterId, controllerConfig);
        brokerConfigs.values().forEach(c -> format(clusterId, c));
        KafkaCluster cluster = new KafkaCluster(clusterId, created, hostPorts, brokerConfigs);
        cluster.scramPorts = List.copyOf(scramPorts);
        try {
            // the nodes start together, as separate servers would: a broker's start waits for the
            // controller, then until it has caught up with the metadata and is unfenced
            cluster.controller = new KafkaRaftServer(new KafkaConfig(controllerConfig), Time.SYSTEM);
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            starts.add(CompletableFuture.runAsync(cluster.controller::startup,
                    r -> new Thread(r, "kafka-controller-" + CONTROLLER_ID + "-start").start()));
            for (int id : brokerConfigs.keySet()) {
                KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(brokerConfigs.get(id)), Time.SYSTEM);
                cluster.running.put(id, server);
                starts.add(CompletableFuture.runAsync(server::startup,
                        r -> new Thread(r, "kafka-broker-" + id + "-start").start()));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                    .get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            cluster.awaitBrokers(brokerConfigs.keySet(), readyTimeout);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        LOG.info("Kafka cluster {} {} (data in {})", clusterId, created ? "created" : "started again", dir);
        return cluster;
    }

    private static Map<String, String> common(String voters) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("controller.quorum.voters", voters);
        c.put("controller.listener.names", CONTROLLER_LISTENER);
        c.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        c.put("min.insync.replicas", "2");
        // a change event may be large (RecordLimits): topics without their own limit, requests
        c.put("message.max.bytes", Integer.toString(RecordLimits.maxRecordBytes()));
        c.put("replica.fetch.max.bytes", Integer.toString(RecordLimits.CEILING_BYTES));
        // Kafka's 100 MB would refuse the produce request of a larger record before any limit above is read
        c.put("socket.request.max.bytes", Integer.toString(RecordLimits.REQUEST_BYTES));
        // the operating system sizes the sockets' buffers (RecordLimits#keepNoLargeSocketBuffers says why)
        c.put("socket.receive.buffer.bytes", "-1");
        c.put("socket.send.buffer.bytes", "-1");
        c.put("replica.socket.receive.buffer.bytes", "-1");
        c.put("offsets.topic.replication.factor", "3");
        c.put("transaction.state.log.replication.factor", "3");
        c.put("transaction.state.log.min.isr", "2");
        // topics are created by Connect (topic.creation.* in debezium_connect.json), not by
        // whichever client asks first for a topic that is not there yet
        c.put("auto.create.topics.enable", "false");
        c.put("group.initial.rebalance.delay.ms", "0");
        // the cleaner's dedupe buffer is allocated on the heap at start (128 MB by default, per
        // broker): the compacted topics here (offsets, Connect's) are small
        c.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        // a stop is a controlled shutdown; a start after kill -9 recovers the logs (Kafka's own)
        c.put("controlled.shutdown.enable", "true");
        // after a kill -9 the controller holds the brokers' old registrations until their session
        // expires, and a broker cannot register again before that (9 s by default): in one JVM,
        // heartbeats do not cross a network
        c.put("broker.session.timeout.ms", "4000");
        c.put("broker.heartbeat.interval.ms", "500");
        return c;
    }

    private static String newClusterId(Path clusterFile) throws IOException {
        String id = Uuid.randomUuid().toString();
        Properties p = new Properties();
        p.setProperty(CLUSTER_ID_KEY, id);
        try (OutputStream out = Files.newOutputStream(clusterFile)) {
            p.store(out, "cdc-camel embedded Kafka: every node is formatted with this cluster id");
        }
        return id;
    }

    private static String readClusterId(Path clusterFile) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(clusterFile)) {
            p.load(in);
        }
        String id = p.getProperty(CLUSTER_ID_KEY);
        if (id == null || id.isBlank()) {
            throw new StackStartException(clusterFile + " has no " + CLUSTER_ID_KEY
                    + ": start from scratch with cdc.stack.reset=true (or delete " + clusterFile.getParent().getParent() + ")");
        }
        return id.trim();
    }

    /** Formats a node's log folder once; a folder formatted before is left as it is. */
    private static void format(String clusterId, Map<String, String> config) {
        String logDir = config.get("log.dirs");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try {
            new Formatter()
                    .setPrintStream(quiet) // it prints "Formatting ..." to System.out otherwise
                    .setNodeId(Integer.parseInt(config.get("node.id")))
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir)
                    .addDirectory(logDir)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    // transactions as before KIP-890 part 2 (which bumps the producer's epoch at every
                    // commit): with Connect's transaction per Debezium poll, version 2 made a row's
                    // latency p50 113 / p99 181 ms at 1,000 rows/s instead of 54 / 113 ms (bench/run
                    // latency, same build, quiet machine). Part 1's partition verification stays on.
                    .setFeatureLevel("transaction.version", (short) 0)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new StackStartException("Cannot format the Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void startServer(int id) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(brokerConfigs.get(id)), Time.SYSTEM);
        running.put(id, server);
        server.startup();
    }

    /** Until every broker in {@code ids} is registered and unfenced, as the Admin API sees it. */
    private void awaitBrokers(Set<Integer> ids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        // the stack's own plain listeners: not the app's cdc.kafka.client.*
        try (Admin admin = new KafkaAdmins(bootstrapServers(), KafkaClientSettings.none())
                .create("cdc-stack-brokers", Duration.ofSeconds(2), Duration.ofSeconds(4))) {
            while (System.nanoTime() < deadline) {
                try {
                    Set<Integer> seen = admin.describeCluster().nodes().get(4, TimeUnit.SECONDS).stream()
                            .map(Node::id).collect(Collectors.toCollection(TreeSet::new));
                    if (seen.containsAll(ids)) {
                        return;
                    }
                    last = "brokers " + seen + " registered";
                } catch (Exception e) {
                    last = e.getMessage();
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new StackStartException("Kafka brokers " + ids + " were not all up within " + timeout.toSeconds()
                + " s (last answer: " + last + ")");
    }

    /** {@code localhost:9092,localhost:9093,localhost:9094} with the default ports. */
    public String bootstrapServers() {
        return hostPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    /** The SASL/SCRAM listeners' addresses, or null when the brokers have none. */
    public String scramBootstrapServers() {
        return scramPorts.isEmpty() ? null : scramPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    public String clusterId() {
        return clusterId;
    }

    /** True when this start formatted a new cluster (the first start, or after a reset). */
    public boolean created() {
        return created;
    }

    /** Broker ids (0, 1, 2). */
    public Set<Integer> brokerIds() {
        return Collections.unmodifiableSet(brokerConfigs.keySet());
    }

    /** Stops one broker (controlled shutdown: its partitions' leadership moves first); false if already stopped. */
    public synchronized boolean stopBroker(int id) {
        requireBroker(id);
        KafkaRaftServer server = running.remove(id);
        if (server == null) {
            return false;
        }
        LOG.info("Stopping Kafka broker {}", id);
        shutdown(server);
        return true;
    }

    /** Starts a stopped broker again on the same port and data; false if it was running. */
    public synchronized boolean startBroker(int id) {
        requireBroker(id);
        if (running.containsKey(id)) {
            return false;
        }
        LOG.info("Starting Kafka broker {} again", id);
        startServer(id);
        return true;
    }

    private void requireBroker(int id) {
        if (!brokerConfigs.containsKey(id)) {
            throw new IllegalArgumentException("No broker " + id + "; brokers are " + brokerConfigs.keySet());
        }
    }

    public List<Integer> hostPorts() {
        return hostPorts;
    }

    private static void shutdown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    /**
     * The brokers one by one (controlled shutdown: each hands its leaderships over), then the
     * controller. While the whole cluster stops, the replica fetchers are quiet: each handover cuts
     * the fetches from the broker that stops, which they log with a stack trace per fetch
     * ("marked as failed", "Client was shutdown before response was read"). A single broker's
     * stop keeps those lines.
     */
    @Override
    public synchronized void close() {
        Map<String, Level> levels = new LinkedHashMap<>();
        for (String logger : FETCH_LOGGERS) {
            levels.put(logger, LogManager.getLogger(logger).getLevel());
            Configurator.setLevel(logger, Level.ERROR);
        }
        try {
            for (Integer id : new ArrayList<>(running.keySet())) {
                shutdown(running.remove(id));
            }
            if (controller != null) {
                shutdown(controller);
                controller = null;
            }
        } finally {
            levels.forEach(Configurator::setLevel);
        }
    }

    private static final List<String> FETCH_LOGGERS = List.of("kafka.server.ReplicaFetcherThread",
            "org.apache.kafka.clients.FetchSessionHandler");
}
