package io.cdccamel.stack;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Three real Kafka brokers and one KRaft controller in this JVM. This is the only class that
 * touches Kafka's internal test kit, so a Kafka upgrade that moves it changes one file.
 * <p>
 * Each broker has two listeners: the kit's own (random port, used between brokers) and
 * {@code HOST} on the fixed port clients are told about (9092, 9093, 9094 by default).
 */
public final class KafkaCluster implements AutoCloseable {

    static final String HOST_LISTENER = "HOST";
    /** The test kit numbers brokers from 0 and controllers from 3000. */
    static final int CONTROLLER_ID = 3000;

    private final KafkaClusterTestKit kit;
    private final List<Integer> hostPorts;
    private final java.util.Set<Integer> stopped = new java.util.HashSet<>();

    private KafkaCluster(KafkaClusterTestKit kit, List<Integer> hostPorts) {
        this.kit = kit;
        this.hostPorts = List.copyOf(hostPorts);
    }

    /** Starts a fresh cluster in {@code dir}; whatever an earlier run left there is removed. */
    public static KafkaCluster start(Path dir, List<Integer> hostPorts) throws Exception {
        DataDirs.deleteRecursively(dir);
        Files.createDirectories(dir);
        Map<Integer, Map<String, String>> perServer = new HashMap<>();
        for (int i = 0; i < hostPorts.size(); i++) {
            perServer.put(i, Map.of(
                    "listeners", "EXTERNAL://localhost:0," + HOST_LISTENER + "://localhost:" + hostPorts.get(i),
                    "listener.security.protocol.map", "EXTERNAL:PLAINTEXT," + HOST_LISTENER + ":PLAINTEXT,CONTROLLER:PLAINTEXT"));
        }
        // topic defaults belong to the controller role in KRaft (brokers warn about them from 4.x on)
        perServer.put(CONTROLLER_ID, Map.of(
                "num.partitions", "3",
                "default.replication.factor", "3"));
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(false) // combined mode dies in handleUpdateVoterResponse and hangs on close
                .setNumControllerNodes(1)
                // the kit defaults to the newest, still unstable, metadata version
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .setNumBrokerNodes(hostPorts.size())
                .setBaseDirectory(dir)
                .setPerServerProperties(perServer)
                .build();
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("min.insync.replicas", "2")
                .setConfigProp("offsets.topic.replication.factor", "3")
                .setConfigProp("transaction.state.log.replication.factor", "3")
                .setConfigProp("transaction.state.log.min.isr", "2")
                // topics are created by Connect (topic.creation.* in debezium_connect.json), not by
                // whichever client asks first for a topic that is not there yet
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setDeleteOnClose(false)
                .build();
        try {
            formatQuietly(kit);
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaCluster(kit, hostPorts);
    }

    /** Kafka's storage formatter prints to System.out; in a console app that is noise. */
    private static void formatQuietly(KafkaClusterTestKit kit) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kit.format();
        } finally {
            System.setOut(out);
        }
    }

    /** {@code localhost:9092,localhost:9093,localhost:9094} with the default ports. */
    public String bootstrapServers() {
        return hostPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    /** Broker ids (0, 1, 2). */
    public java.util.Set<Integer> brokerIds() {
        return kit.brokers().keySet();
    }

    /** Stops one broker (controlled shutdown: its partitions' leadership moves first); false if already stopped. */
    public synchronized boolean stopBroker(int id) {
        kafka.server.BrokerServer broker = broker(id);
        if (!stopped.add(id)) {
            return false;
        }
        broker.shutdown();
        return true;
    }

    /** Starts a stopped broker again on the same ports and data; false if it was running. */
    public synchronized boolean startBroker(int id) {
        kafka.server.BrokerServer broker = broker(id);
        if (!stopped.remove(id)) {
            return false;
        }
        broker.startup();
        return true;
    }

    private kafka.server.BrokerServer broker(int id) {
        kafka.server.BrokerServer broker = kit.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException("No broker " + id + "; brokers are " + kit.brokers().keySet());
        }
        return broker;
    }

    public List<Integer> hostPorts() {
        return hostPorts;
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
