package io.cdccamel.route;

import io.cdccamel.events.WrittenPositions;
import org.apache.camel.component.kafka.consumer.support.subcription.DefaultSubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The rebalance listener of the route's consumer, added through camel-kafka's own hook (a
 * {@link SubscribeAdapter} bound as {@value #BEAN}, which camel-kafka looks up when it subscribes;
 * its own listener still runs). Kafka calls it from inside {@code poll}, when the consumer's batch
 * before is written and committed asynchronously:
 * <ul>
 * <li>revoked: the offsets this instance wrote are committed synchronously first, so the next owner
 *     starts right after them (a clean rebalance: every record once across instances);</li>
 * <li>assigned: the Kafka cluster id and the topics' ids are checked against the output's journal,
 *     before any record of theirs is read: offsets of another cluster or of a re-created topic are
 *     forgotten, never used to skip.</li>
 * </ul>
 */
public class RevokeCommits implements SubscribeAdapter {

    /** The name camel-kafka looks the adapter up by. */
    public static final String BEAN = "subscribeAdapter";

    private static final Logger LOG = LoggerFactory.getLogger(RevokeCommits.class);

    private final DurableCommits commits;
    private final WrittenPositions positions;
    private final Supplier<String> clusterId;
    private final Function<Collection<String>, Map<String, String>> topicIds;

    /**
     * @param clusterId the Kafka cluster's id (Admin API)
     * @param topicIds  the ids of these topics (Admin API)
     */
    public RevokeCommits(DurableCommits commits, WrittenPositions positions, Supplier<String> clusterId,
                         Function<Collection<String>, Map<String, String>> topicIds) {
        this.commits = commits;
        this.positions = positions;
        this.clusterId = clusterId;
        this.topicIds = topicIds;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camels, TopicInfo topicInfo) {
        new DefaultSubscribeAdapter().subscribe(consumer, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commits.commitRevoked(consumer, partitions);
                camels.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // another instance may own them already: committing now would be refused, or worse
                commits.forget(partitions);
                camels.onPartitionsLost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                commits.forget(partitions);
                checkIds(partitions);
                camels.onPartitionsAssigned(partitions);
            }
        }, topicInfo);
    }

    private void checkIds(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        TreeSet<String> topics = new TreeSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        try {
            positions.kafkaCluster(clusterId.get());
            for (Map.Entry<String, String> topic : topicIds.apply(topics).entrySet()) {
                positions.kafkaTopic(topic.getKey(), topic.getValue());
            }
        } catch (Exception e) {
            // no record is read before the ids are known: the consumer's poll fails and is tried again
            LOG.warn("Could not check the Kafka cluster and topic ids of {} against the output's journal: {}", topics, e.toString());
            throw new IllegalStateException("Kafka cluster and topic ids not checked: " + e.getMessage(), e);
        }
    }
}
