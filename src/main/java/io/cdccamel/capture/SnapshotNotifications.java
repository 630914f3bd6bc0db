package io.cdccamel.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.kafka.KafkaAdmins;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Debezium's snapshot notifications from its {@code sink} channel's topic and moves the
 * {@link SnapshotJobs} on: the same states in embedded and external mode, where Debezium's JMX
 * metrics are out of reach. A consumer group of its own, offsets committed after the jobs'
 * update: a notification is applied at least once, and applying one twice changes nothing (a
 * job moves only from requested or running).
 */
public final class SnapshotNotifications extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KafkaAdmins admins;
    private final String topic;
    private final String group;
    private final SnapshotJobs jobs;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile Thread thread;
    private volatile boolean running;

    public SnapshotNotifications(KafkaAdmins admins, String topic, String group, SnapshotJobs jobs) {
        this.admins = admins;
        this.topic = topic;
        this.group = group;
        this.jobs = jobs;
    }

    @Override
    protected void doStart() {
        running = true;
        thread = new Thread(this::run, "snapshot-notifications");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            t.join(10_000);
        }
    }

    private void run() {
        while (running) {
            try {
                // one partition keeps Debezium's notifications in order; made here so that the reader never waits on a
                // topic Connect creates only at the first notification
                try (Admin admin = admins.create("cdc-camel-notifications")) {
                    KafkaAdmins.createTopic(admin, topic, 1, Map.of());
                }
                consume();
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warn("Cannot read Debezium's snapshot notifications from topic {} (retrying in 5 s): {}", topic,
                        Preflight.firstLine(String.valueOf(e.getMessage())));
                try {
                    Thread.sleep(5_000); // a retry's backoff, not a synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void consume() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, admins.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Connect writes them in its exactly-once transactions: only committed ones
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(admins.settings().over(config), new StringDeserializer(),
                new StringDeserializer())) {
            consumer = c;
            c.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, String> r : records) {
                    if (r.value() != null) {
                        JsonNode n = MAPPER.readTree(r.value());
                        // the JSON converter with schemas wraps the value in {"schema":..., "payload":...}
                        JsonNode notification = n.has("payload") && n.has("schema") ? n.path("payload") : n;
                        LOG.debug("Debezium notification: {}", notification);
                        SnapshotJobs.logFailed(jobs.apply(notification));
                    }
                    // committed once the jobs hold it: a restart reads on from the next one
                    c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                }
            }
        } finally {
            consumer = null;
        }
    }
}
