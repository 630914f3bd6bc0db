package io.cdccamel.ops;

import io.cdccamel.kafka.KafkaAdmins;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code kafka-topics --list} and {@code --describe} tell, through Kafka's Admin API: one
 * client for the application's life, created on first use.
 */
public class KafkaTopics implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 10;

    /** A topic in the list; {@code internal} marks Kafka's own and Kafka Connect's topics. */
    public record TopicSummary(String name, boolean internal) {
    }

    /** One partition as {@code kafka-topics --describe} shows it; leader -1 when there is none. */
    public record PartitionView(int partition, int leader, List<Integer> replicas, List<Integer> isr) {
    }

    public record TopicView(String name, String topicId, int partitionCount, int replicationFactor,
                            List<PartitionView> partitions) {

        /** The same text as {@code kafka-topics --describe}. */
        public String toText() {
            StringBuilder out = new StringBuilder();
            out.append("Topic: ").append(name).append("\tTopicId: ").append(topicId)
                    .append("\tPartitionCount: ").append(partitionCount)
                    .append("\tReplicationFactor: ").append(replicationFactor).append('\n');
            for (PartitionView p : partitions) {
                out.append("\tTopic: ").append(name).append("\tPartition: ").append(p.partition())
                        .append("\tLeader: ").append(p.leader() < 0 ? "none" : Integer.toString(p.leader()))
                        .append("\tReplicas: ").append(join(p.replicas()))
                        .append("\tIsr: ").append(join(p.isr())).append('\n');
            }
            return out.toString();
        }

        private static String join(List<Integer> ids) {
            return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    /** A topic that does not exist. */
    public static class NoSuchTopicException extends RuntimeException {
        public NoSuchTopicException(String topic) {
            super("Topic " + topic + " does not exist");
        }
    }

    private final KafkaAdmins admins;
    private final List<String> connectTopics;
    private Admin admin;

    /** @param connectTopics Kafka Connect's internal topics, marked internal in the list */
    public KafkaTopics(KafkaAdmins admins, List<String> connectTopics) {
        this.admins = admins;
        this.connectTopics = List.copyOf(connectTopics);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = admins.create("cdc-camel-api", Duration.ofSeconds(TIMEOUT_SECONDS / 2), Duration.ofSeconds(TIMEOUT_SECONDS));
        }
        return admin;
    }

    public List<TopicSummary> list() throws Exception {
        return await(admin().listTopics(new ListTopicsOptions().listInternal(true)).listings()).stream()
                .sorted(Comparator.comparing(TopicListing::name))
                .map(t -> new TopicSummary(t.name(), t.isInternal() || connectTopics.contains(t.name())))
                .toList();
    }

    /** Creates {@code topic} when it is missing (3 partitions, replicated as widely as the cluster allows). */
    public void ensure(String topic) throws Exception {
        if (await(admin().listTopics(new ListTopicsOptions().listInternal(true)).names()).contains(topic)) {
            return;
        }
        KafkaAdmins.createTopic(admin(), topic, 3, Map.of());
    }

    public TopicView describe(String topic) throws Exception {
        TopicDescription d;
        try {
            d = await(admin().describeTopics(List.of(topic)).topicNameValues().get(topic));
        } catch (UnknownTopicOrPartitionException e) {
            throw new NoSuchTopicException(topic);
        }
        List<PartitionView> partitions = d.partitions().stream()
                .map(p -> new PartitionView(p.partition(), p.leader() == null ? -1 : p.leader().id(),
                        p.replicas().stream().map(Node::id).toList(), p.isr().stream().map(Node::id).toList()))
                .toList();
        int rf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
        return new TopicView(d.name(), d.topicId().toString(), partitions.size(), rf, partitions);
    }

    private <T> T await(KafkaFuture<T> future) throws Exception {
        return admins.await(future, TIMEOUT_SECONDS);
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
