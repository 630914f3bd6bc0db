package io.cdccamel.route;

import io.cdccamel.store.WrittenPositions;
import org.apache.camel.component.kafka.consumer.support.subcription.DefaultSubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 *     forgotten, never used to skip. A check that fails is tried again, never thrown into the poll.</li>
 * </ul>
 */
public class RevokeCommits implements SubscribeAdapter {

    /** The name camel-kafka looks the adapter up by. */
    public static final String BEAN = "subscribeAdapter";

    private static final Logger LOG = LoggerFactory.getLogger(RevokeCommits.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** A check failing this long is an ERROR (before: a WARN per attempt), and again every {@link #LOUD_AGAIN}. */
    static final Duration LOUD_AFTER = Duration.ofSeconds(30);
    static final Duration LOUD_AGAIN = Duration.ofMinutes(5);

    private final DurableCommits commits;
    private final WrittenPositions positions;
    private final Supplier<String> clusterId;
    private final Function<Collection<String>, Map<String, String>> topicIds;
    private final AtomicLong failedChecks = new AtomicLong();
    /** Per consumer thread, the failure its check is waiting out. */
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Object stopSignal = new Object();
    private volatile boolean stopping;

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

    /**
     * Checks the ids before any record of these partitions is read, trying again until it succeeds:
     * an exception thrown from here would leave Kafka's {@code poll} (camel-kafka's poll-error strategy
     * then decides what happens to the positions), and the assignment would stand unchecked. Its
     * admin calls fail for passing reasons (a topic created a moment ago, a broker restarting, a
     * timeout in a GC pause): each failure is a WARN, counted ({@link #failedChecks}); one that goes on
     * for {@link #LOUD_AFTER} is an ERROR (again every {@link #LOUD_AGAIN}) and {@link #failure} says
     * it to the health check. While it retries this consumer reads nothing; past Kafka's
     * {@code max.poll.interval.ms} (5 min) the group hands its partitions to another consumer, which
     * checks them itself.
     */
    private void checkIds(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        TreeSet<String> topics = new TreeSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        long started = System.nanoTime();
        long loudAt = started + LOUD_AFTER.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                positions.kafkaCluster(clusterId.get());
                for (Map.Entry<String, String> topic : topicIds.apply(topics).entrySet()) {
                    positions.kafkaTopic(topic.getKey(), topic.getValue());
                }
                if (attempt > 1) {
                    LOG.info("Checked the Kafka cluster and topic ids of {} against the output's journal at attempt {}, "
                            + "after {} ms", topics, attempt, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
                failing.remove(Thread.currentThread().getName());
                return;
            } catch (Exception e) {
                failedChecks.incrementAndGet();
                String what = "Could not check the Kafka cluster and topic ids of " + topics + " against the output's journal"
                        + " (attempt " + attempt + ", failing for " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)
                        + " s): " + e;
                failing.put(Thread.currentThread().getName(), what);
                if (System.nanoTime() - loudAt >= 0) {
                    LOG.error("{}. No record of these partitions is read until they are checked; trying again every {} s. "
                            + "Fix: make the Kafka brokers (cdc.kafka.brokers) reachable, and the topics describable by the "
                            + "app's Kafka user (cdc.kafka.client.*)", what, MAX_BACKOFF.toSeconds());
                    loudAt = System.nanoTime() + LOUD_AGAIN.toNanos();
                } else {
                    LOG.warn("{}; trying again in {} ms", what, backoff.toMillis());
                }
            }
            awaitBackoff(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Waits out one backoff, or ends the check when the app stops: Kafka's wakeup leaves the poll, reading nothing. */
    private void awaitBackoff(Duration backoff) {
        long until = System.nanoTime() + backoff.toNanos();
        synchronized (stopSignal) {
            while (!stopping && System.nanoTime() - until < 0) {
                try {
                    stopSignal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(e);
                }
            }
        }
        if (stopping) {
            failing.remove(Thread.currentThread().getName());
            throw new WakeupException();
        }
    }

    /** The app stops: a check waiting to try again ends, and its consumer reads nothing more. */
    public void stop() {
        synchronized (stopSignal) {
            stopping = true;
            stopSignal.notifyAll();
        }
    }

    /** Why partitions just assigned are not read yet (their ids could not be checked), or null. */
    public String failure() {
        return failing.values().stream().findFirst().orElse(null);
    }

    /** Attempts to check the ids of assigned partitions that failed, since start. */
    public long failedChecks() {
        return failedChecks.get();
    }
}
