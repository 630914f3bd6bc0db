package io.cdccamel.live;

import io.cdccamel.events.DeadLetterHeaders;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.settings.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The live view's own reader of the change topics and of the dead-letter topic: its own consumer
 * group (never committed, so it leaves no offsets behind), {@code read_committed} like the print
 * route, starting a few records before the end of each partition so that a page has something to show.
 * It does not depend on the print route: it reads Kafka, as any other client would.
 * <p>
 * It reads only while somebody looks ({@link #start(BooleanSupplier)}: a page open, or the state
 * asked for lately): otherwise its partitions are paused, and nothing is fetched or decoded (a
 * snapshot of a million rows would otherwise be read and decoded a second time, beside the print
 * route, on the same cores). When somebody looks again it goes on from where it stopped, or from
 * the last {@code backfill} records of a partition if more came meanwhile: never back, so that
 * nothing is counted twice; the counters count what was read.
 */
final class ChangeTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.live-view");

    private final KafkaConsumer<String, String> consumer;
    private final Pattern topics;
    private final String deadLetterTopic;
    private final LiveState state;
    private final ObjectMapper mapper;
    private final EventDigest.Limits limits;
    private final int backfill;
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<String, String> tables = new HashMap<>();
    /** Assigned partitions not being read (nobody looks, or newly assigned). */
    private final Set<TopicPartition> paused = new HashSet<>();
    /** Where reading stopped, per partition: it goes on from there (or later), never from before. */
    private final Map<TopicPartition, Long> readTo = new HashMap<>();
    private volatile BooleanSupplier watched = () -> true;

    ChangeTail(String bootstrapServers, KafkaClientSettings clientSettings, String group, Pattern changeTopics,
               String deadLetterTopic, int backfill, LiveState state, ObjectMapper mapper, EventDigest.Limits limits) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        // tables created later show up within 10 s, as in the print route
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000);
        // the operating system sizes the socket's buffer (stack/RecordLimits#keepNoLargeSocketBuffers says why)
        config.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1);
        this.consumer = new KafkaConsumer<>(clientSettings.over(config));
        this.topics = Pattern.compile("(?:" + changeTopics.pattern() + ")|" + Pattern.quote(deadLetterTopic));
        this.deadLetterTopic = deadLetterTopic;
        this.state = state;
        this.mapper = mapper;
        this.limits = limits;
        this.backfill = backfill;
        this.thread = new Thread(this::run, "live-view-tail");
        this.thread.setDaemon(true);
    }

    /** @param watched whether somebody looks now: the partitions are read only then */
    void start(BooleanSupplier watched) {
        this.watched = watched;
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    paused.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // read from the loop, once somebody looks
                    consumer.pause(partitions);
                    paused.addAll(partitions);
                }
            });
            while (running) {
                if (watched.getAsBoolean()) {
                    resumePaused();
                } else {
                    pauseAll();
                }
                ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(Duration.ofMillis(500));
                } catch (WakeupException e) {
                    break;
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, String> r : records) {
                    if (r.topic().equals(deadLetterTopic)) {
                        state.addDeadLetter(new LiveState.DeadLetter(r.timestamp(), header(r, DeadLetterHeaders.REASON),
                                header(r, DeadLetterHeaders.SOURCE_TOPIC), header(r, DeadLetterHeaders.SOURCE_PARTITION),
                                header(r, DeadLetterHeaders.SOURCE_OFFSET), EventDigest.cut(r.value(), 300)));
                    } else {
                        EventDigest digest = EventDigest.of(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                                r.value(), mapper, limits);
                        if (!digest.table().equals(r.topic())) {
                            tables.put(r.topic(), digest.table());
                        } else if (tables.containsKey(r.topic())) {
                            // a tombstone names no table: the topic's earlier events did
                            digest = digest.inTable(tables.get(r.topic()));
                        }
                        state.add(digest, now);
                    }
                }
                for (TopicPartition p : consumer.assignment()) {
                    if (!paused.contains(p)) {
                        long position = consumer.position(p, Duration.ofSeconds(1));
                        readTo.put(p, position);
                        state.readUpTo(p, position);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            if (running) {
                LOG.warn("Live view stopped reading the change topics: {}", e.toString());
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void resumePaused() {
        if (paused.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(paused);
        Map<TopicPartition, Long> end = consumer.endOffsets(paused);
        for (TopicPartition p : paused) {
            long from = Math.max(begin.getOrDefault(p, 0L), end.getOrDefault(p, 0L) - backfill);
            consumer.seek(p, Math.max(from, readTo.getOrDefault(p, 0L)));
        }
        consumer.resume(paused);
        LOG.info("Live view reads {} partition(s) (from where it stopped, or their last {} records)", paused.size(), backfill);
        paused.clear();
    }

    private void pauseAll() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (paused.size() < assigned.size()) {
            consumer.pause(assigned);
            paused.addAll(assigned);
            LOG.debug("Live view paused: no page open");
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
