package io.cdccamel.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectAnswer;
import io.cdccamel.connect.ConnectApi;
import io.cdccamel.kafka.KafkaAdmins;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the live view asks Kafka and Connect about, once a second: brokers and the KRaft
 * controller, leaders and ISR of the change topics, the print route's consumer group lag, and the
 * connector's status. Each part is read on its own, so a broker that is down leaves the others readable.
 */
final class PipelineProbe implements AutoCloseable {

    private static final long TIMEOUT_MS = 3_000;

    private final Admin admin;
    private final Pattern topics;
    private final String group;
    private final ConnectApi connect;
    private final ObjectMapper mapper;
    private final LiveState state;
    private final Supplier<Set<Integer>> controlledBrokers;
    private final Set<Integer> brokersSeen = new TreeSet<>();
    // restarts seen by this view: a task or the connector that left FAILED or went RESTARTING
    private final Map<String, String> lastStates = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();

    PipelineProbe(KafkaAdmins admins, Pattern topics, String group, ConnectApi connect, ObjectMapper mapper,
                  LiveState state, Supplier<Set<Integer>> controlledBrokers) {
        this.admin = admins.create("cdc-camel-live", Duration.ofMillis(TIMEOUT_MS), Duration.ofMillis(TIMEOUT_MS));
        this.topics = topics;
        this.group = group;
        this.connect = connect.withResponseTimeout(Duration.ofMillis(TIMEOUT_MS));
        this.mapper = mapper;
        this.state = state;
        this.controlledBrokers = controlledBrokers;
    }

    /** The replication slot's reading, when the app watches one. */
    private volatile Supplier<Map<String, Object>> slot;

    void slotView(Supplier<Map<String, Object>> slot) {
        this.slot = slot;
    }

    /** Each captured table's snapshot job, when the app captures its own database. */
    private volatile Supplier<Map<String, Object>> tables;

    void tablesView(Supplier<Map<String, Object>> tables) {
        this.tables = tables;
    }

    /** One reading of everything; a part that could not be read says why in {@code error}. */
    Map<String, Object> read() {
        Map<String, Object> view = new LinkedHashMap<>();
        List<TopicDescription> described = List.of();
        try {
            view.put("cluster", cluster());
        } catch (Exception e) {
            view.put("cluster", Map.of("error", reason(e)));
        }
        try {
            described = describeTopics();
            view.put("topics", topicsView(described));
        } catch (Exception e) {
            view.put("topics", Map.of("error", reason(e)));
        }
        try {
            view.put("lag", lag(described));
        } catch (Exception e) {
            view.put("lag", Map.of("error", reason(e)));
        }
        view.put("connector", connector());
        if (slot != null) {
            try {
                view.put("slot", slot.get());
            } catch (RuntimeException e) {
                view.put("slot", Map.of("error", reason(e)));
            }
        }
        if (tables != null) {
            try {
                view.put("captureTables", tables.get());
            } catch (RuntimeException e) {
                view.put("captureTables", Map.of("error", reason(e)));
            }
        }
        return view;
    }

    /** The print route's group lag alone, as {@link #read()} gives it under {@code lag} (the charts' sampler). */
    Map<String, Object> lagNow() throws Exception {
        return lag(describeTopics());
    }

    private Map<String, Object> cluster() throws Exception {
        Collection<Node> nodes = admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Set<Integer> up = new TreeSet<>();
        nodes.forEach(n -> up.add(n.id()));
        brokersSeen.addAll(up);
        Set<Integer> controlled = controlledBrokers.get();
        if (controlled != null) {
            brokersSeen.addAll(controlled);
        }
        List<Map<String, Object>> brokers = new ArrayList<>();
        for (int id : brokersSeen) {
            Node node = nodes.stream().filter(n -> n.id() == id).findFirst().orElse(null);
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", id);
            b.put("up", up.contains(id));
            b.put("address", node == null ? null : node.host() + ":" + node.port());
            brokers.add(b);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("brokers", brokers);
        try {
            // brokers in KRaft mode name a random broker as "controller": the quorum names the active one
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            view.put("controller", quorum.leaderId());
            view.put("controllerEpoch", quorum.leaderEpoch());
            view.put("voters", quorum.voters().stream().map(QuorumInfo.ReplicaState::replicaId).toList());
        } catch (Exception e) {
            view.put("controller", null);
            view.put("controllerError", reason(e));
        }
        view.put("control", controlled != null);
        return view;
    }

    private List<TopicDescription> describeTopics() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String name : admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            if (topics.matcher(name).matches()) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return List.of();
        }
        return new ArrayList<>(new TreeMap<>(admin.describeTopics(names).allTopicNames()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).values());
    }

    private static List<Map<String, Object>> topicsView(List<TopicDescription> described) {
        List<Map<String, Object>> view = new ArrayList<>();
        for (TopicDescription d : described) {
            List<Map<String, Object>> partitions = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                Map<String, Object> pv = new LinkedHashMap<>();
                pv.put("partition", p.partition());
                pv.put("leader", p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
                pv.put("replicas", p.replicas().stream().map(Node::id).toList());
                pv.put("isr", p.isr().stream().map(Node::id).toList());
                partitions.add(pv);
            }
            view.add(Map.of("name", d.name(), "partitions", partitions));
        }
        return view;
    }

    private Map<String, Object> lag(List<TopicDescription> described) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription d : described) {
            for (TopicPartitionInfo p : d.partitions()) {
                request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (!request.isEmpty()) {
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        }
        long now = System.currentTimeMillis();
        List<Map<String, Object>> partitions = new ArrayList<>();
        long totalRecords = 0;
        long maxMillis = 0;
        Map<TopicPartition, Long> sorted = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        sorted.putAll(ends);
        for (Map.Entry<TopicPartition, Long> e : sorted.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long committedOffset = c == null ? 0 : c.offset();
            PartitionTimes.Lag lag = state.lag(e.getKey(), committedOffset, e.getValue(), now);
            Map<String, Object> pv = new LinkedHashMap<>();
            pv.put("topic", e.getKey().topic());
            pv.put("partition", e.getKey().partition());
            pv.put("committed", c == null ? null : c.offset());
            pv.put("end", e.getValue());
            pv.put("records", lag.records());
            pv.put("seconds", lag.millis() / 1000.0);
            pv.put("exact", lag.exact());
            partitions.add(pv);
            totalRecords += lag.records();
            maxMillis = Math.max(maxMillis, lag.millis());
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("group", group);
        view.put("records", totalRecords);
        view.put("seconds", maxMillis / 1000.0);
        view.put("partitions", partitions);
        return view;
    }

    private Map<String, Object> connector() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", connect.connectorName());
        view.put("url", connect.url());
        try {
            ConnectAnswer r = connect.status();
            if (r.is(404)) {
                view.put("state", "MISSING");
                return view;
            }
            if (!r.is(200)) {
                view.put("state", "UNKNOWN");
                view.put("error", "Connect answered " + r.status() + ": " + EventDigest.cut(r.body(), 300));
                return view;
            }
            JsonNode status = mapper.readTree(r.body());
            JsonNode c = status.path("connector");
            view.put("state", c.path("state").asText("UNKNOWN"));
            view.put("worker", c.path("worker_id").asText(null));
            view.put("restarts", restarts("connector", c.path("state").asText()));
            view.put("trace", firstLines(c.path("trace").asText(null)));
            List<Map<String, Object>> tasks = new ArrayList<>();
            for (JsonNode t : status.path("tasks")) {
                Map<String, Object> tv = new LinkedHashMap<>();
                String id = t.path("id").asText();
                tv.put("id", t.path("id").asInt());
                tv.put("state", t.path("state").asText("UNKNOWN"));
                tv.put("worker", t.path("worker_id").asText(null));
                tv.put("restarts", restarts("task-" + id, t.path("state").asText()));
                tv.put("trace", firstLines(t.path("trace").asText(null)));
                tasks.add(tv);
            }
            view.put("tasks", tasks);
        } catch (Exception e) {
            view.put("state", "UNREACHABLE");
            view.put("error", reason(e));
        }
        return view;
    }

    private int restarts(String part, String state) {
        String before = lastStates.put(part, state);
        boolean restarted = before != null && !before.equals(state)
                && ("RESTARTING".equals(state) || ("FAILED".equals(before) && "RUNNING".equals(state)));
        return restarted ? restarts.merge(part, 1, Integer::sum) : restarts.getOrDefault(part, 0);
    }

    /** The first lines of a Java stack trace: the exception and where it was thrown. */
    static String firstLines(String trace) {
        if (trace == null || trace.isEmpty()) {
            return null;
        }
        String[] lines = trace.split("\n", 7);
        return EventDigest.cut(String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 6))), 2_000);
    }

    private static String reason(Throwable e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
