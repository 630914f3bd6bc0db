package io.cdccamel.connect;

import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Connect's {@code POST /connectors} is not atomic, so app instances agree first, through Kafka's
 * order: each appends a claim to a one-partition topic and reads the partition back; the earliest
 * live claim (younger than the TTL) wins. A winner that dies before posting loses its claim when
 * it expires, and another instance takes over.
 */
public class KafkaRegistrationLock implements RegistrationLock, AutoCloseable {

    public static final String TOPIC = ConnectSettings.REGISTRATIONS_TOPIC;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Claims read back at most this far: claims older than the TTL no longer count anyway. */
    private static final int LOOKBACK = 1_000;

    private final String bootstrapServers;
    private final String connector;
    private final long ttlMillis;
    private final String instance = UUID.randomUUID().toString();
    private final KafkaClientSettings clientSettings;
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;

    /** @param clientSettings {@code cdc.kafka.client.*}: a secured cluster's settings, for its admin, producer and consumer */
    public KafkaRegistrationLock(String bootstrapServers, String connector, Duration ttl,
                                 KafkaClientSettings clientSettings) {
        this.bootstrapServers = bootstrapServers;
        this.connector = connector;
        this.ttlMillis = ttl.toMillis();
        this.clientSettings = clientSettings;
    }

    @Override
    public synchronized boolean claim() {
        try {
            open();
            RecordMetadata ours = producer.send(new ProducerRecord<>(TOPIC, 0, connector, instance))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.seek(tp, Math.max(0, ours.offset() - LOOKBACK));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (connector.equals(r.key()) && r.timestamp() >= ours.timestamp() - ttlMillis) {
                        return instance.equals(r.value()); // the earliest live claim decides
                    }
                }
            }
            return false;
        } catch (Exception e) {
            throw new IllegalStateException("Could not claim the registration of " + connector + " in Kafka topic "
                    + TOPIC + ": " + e.getMessage(), e);
        }
    }

    private void open() throws Exception {
        if (producer != null) {
            return;
        }
        try (Admin admin = new KafkaAdmins(bootstrapServers, clientSettings).create("cdc-camel-registration-" + instance)) {
            KafkaAdmins.createTopic(admin, TOPIC, 1, Map.of("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(1))));
        }
        producer = new KafkaProducer<>(clientSettings.over(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "cdc-camel-registration-" + instance)),
                new StringSerializer(), new StringSerializer());
        consumer = new KafkaConsumer<>(clientSettings.over(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "cdc-camel-registration-" + instance)),
                new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(5));
            producer = null;
            consumer = null;
        }
    }
}
