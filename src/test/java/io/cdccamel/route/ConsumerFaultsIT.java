package io.cdccamel.route;

import io.cdccamel.CdcApplication;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.store.WrittenPositions;
import io.cdccamel.it.EmbeddedStackExtension;
import io.cdccamel.kafka.ClusterIds;
import io.cdccamel.stack.Ports;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The YAML route {@code routes/print-change-events.camel.yaml} with the app's own configuration
 * classes, reading a real topic of the shared embedded stack's three brokers, while its consumer's
 * {@code poll} throws once. camel-kafka's default {@code pollOnError} (ERROR_HANDLER) then seeks every
 * assigned partition one record on: that record was never printed, and the next commit moved past it.
 * Each test writes records to every partition, starts the route and asserts that the output file
 * holds each record's entry exactly once.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ConsumerFaultsIT extends CamelMainTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerFaultsIT.class);
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 60;
    private static final String ENVELOPE = "{\"before\":null,\"after\":{\"id\":%d},\"source\":{\"version\":\"3.6.1.Final\","
            + "\"connector\":\"postgresql\",\"name\":\"faults\",\"ts_ms\":1630916915780,\"snapshot\":\"false\",\"db\":\"postgres\","
            + "\"schema\":\"debezium\",\"table\":\"product\",\"txId\":555,\"lsn\":23700112},\"op\":\"c\",\"ts_ms\":1630916915785}";

    // set from the constructor of Camel's test support (useOverridePropertiesWithPropertiesComponent),
    // before this class's field initializers would run
    private String topic;
    private Path outputDir;
    /** The print route's consumers: real Kafka consumers whose {@code poll} throws once when armed. */
    private FaultyPolls polls;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        CdcApplication.addConfigurations(configuration);
    }

    @Override
    public boolean isUseAdviceWith() {
        // started by each test, once its fault is in place
        return true;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        topic = "faults-" + UUID.randomUUID();
        polls = new FaultyPolls();
        try {
            outputDir = Files.createTempDirectory("consumer-faults-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("cdc.mode", "external"),
                Map.entry("cdc.output.dir", outputDir.toString()),
                Map.entry("cdc.search.enabled", "false"),
                Map.entry("cdc.kafka.brokers", brokers()),
                Map.entry("cdc.topics", topic),
                Map.entry("cdc.topics.pattern", "false"),
                Map.entry("cdc.consumer.group", "faults-" + UUID.randomUUID()),
                // one consumer owns every partition: no rebalance between threads hands a skipped
                // position back to the committed offset before the skip is committed
                Map.entry("cdc.consumer.threads", "1"),
                // several polls per partition: the fault comes with records on both sides of it
                Map.entry("cdc.consumer.batch.size", "10"),
                Map.entry("cdc.postgres.port", "1"),
                Map.entry("cdc.api.port", Integer.toString(Ports.freePort())),
                Map.entry("cdc.dead-letter.endpoint", "mock:dead-letters"),
                Map.entry("cdc.consumer.lost-offsets-check.ms", "0"),
                Map.entry("camel.main.routes-reload-enabled", "false"),
                // the app's other routes talk to Connect: not this test's concern
                Map.entry("camel.main.route-filter-exclude-pattern", "register-connector")));
        return props;
    }

    private static String brokers() {
        return EmbeddedStackExtension.stack().kafka().bootstrapServers();
    }

    /** The test's topic, {@value #PER_PARTITION} change events in each partition; returns every (partition, offset). */
    private List<String> writeRecords() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }
        List<String> written = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            int id = 0;
            for (int partition = 0; partition < PARTITIONS; partition++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    id++;
                    long offset = producer.send(new ProducerRecord<>(topic, partition, "Struct{id=" + id + "}",
                            String.format(ENVELOPE, id))).get(60, TimeUnit.SECONDS).offset();
                    written.add(partition + "@" + offset);
                }
            }
        }
        return written;
    }

    /** Each entry of the topic's output file, as partition@offset, in file order. */
    private List<String> printed() {
        Path file = outputDir.resolve(topic + ".log");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return OutputFormat.entries(Files.readString(file)).stream().map(e -> e.partition() + "@" + e.offset()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every written record's entry is in the file, each exactly once. */
    private void assertEveryRecordPrintedOnce(List<String> written) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(printed()).as("entries of %s", topic).containsAll(written));
        assertThat(printed()).as("each record's entry exactly once").containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void shouldPrintEveryRecordOnceWhenAPollThrowsOnce() throws Exception {
        List<String> written = writeRecords();
        polls.armAfterRecords(25);
        // camel-kafka's consumers come from its component's client factory
        context.getComponent("kafka", KafkaComponent.class).setKafkaClientFactory(polls);
        context.getEndpoints().stream().filter(KafkaEndpoint.class::isInstance)
                .forEach(e -> ((KafkaEndpoint) e).setKafkaClientFactory(polls));
        context.start();

        assertEveryRecordPrintedOnce(written);
        assertThat(polls.thrown()).as("the poll threw").isEqualTo(1);
        LOG.info("pollOnError {}: the first records after the poll that threw came {} ms later",
                ConsumerGuarantees.POLL_ON_ERROR, polls.recoveredAfterMillis());
    }

    @Test
    void shouldPrintEveryRecordOnceWhenARebalanceListenerThrowsOnceOnAssignment() throws Exception {
        List<String> written = writeRecords();
        SubscribeAdapter app = context.getRegistry().lookupByNameAndType(RevokeCommits.BEAN, SubscribeAdapter.class);
        AtomicInteger thrown = new AtomicInteger();
        // the app's listener, then one more that throws at the first assignment (as a listener of camel-kafka's
        // or a user's could): Kafka's poll throws it once the partitions are assigned
        context.getRegistry().bind(RevokeCommits.BEAN, SubscribeAdapter.class, (SubscribeAdapter) (consumer, camels, info) ->
                app.subscribe(consumer, new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        camels.onPartitionsRevoked(partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        camels.onPartitionsLost(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        camels.onPartitionsAssigned(partitions);
                        if (!partitions.isEmpty() && thrown.getAndIncrement() == 0) {
                            throw new IllegalStateException("a rebalance listener that throws once");
                        }
                    }
                }, info));
        context.start();

        assertEveryRecordPrintedOnce(written);
        assertThat(thrown.get()).as("the listener threw").isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldPrintEveryRecordOnceWhenThePartitionCheckFailsOnceOnAssignment() throws Exception {
        List<String> written = writeRecords();
        ClusterIds kafka = context.getRegistry().findSingleByType(ClusterIds.class);
        AtomicBoolean failed = new AtomicBoolean();
        // the app's own check of cluster and topic ids, whose admin call fails once (a topic created a
        // moment ago, a broker restarting, a timeout): it is tried again, never thrown into the poll
        RevokeCommits check = new RevokeCommits(context.getRegistry().findSingleByType(DurableCommits.class),
                context.getRegistry().findSingleByType(WrittenPositions.class), () -> {
                    if (failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("describeCluster timed out (injected once)");
                    }
                    try {
                        return kafka.clusterId();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, topics -> {
                    try {
                        return kafka.topicIds(topics);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        context.getRegistry().bind(RevokeCommits.BEAN, RevokeCommits.class, check);
        context.start();

        assertEveryRecordPrintedOnce(written);
        assertThat(check.failedChecks()).as("the check failed once, and was tried again").isEqualTo(1);
        assertThat(check.failure()).as("nothing failing any more").isNull();
    }

    /** camel-kafka's own consumers, whose {@code poll} throws once, when armed, after some records came. */
    static final class FaultyPolls extends DefaultKafkaClientFactory {
        private final AtomicLong armedAfter = new AtomicLong(-1);
        private final AtomicLong records = new AtomicLong();
        private final AtomicInteger thrown = new AtomicInteger();
        private volatile long thrownAt;
        private volatile long recoveredAt;

        void armAfterRecords(long count) {
            armedAfter.set(count);
        }

        int thrown() {
            return thrown.get();
        }

        long recoveredAfterMillis() {
            return TimeUnit.NANOSECONDS.toMillis(recoveredAt - thrownAt);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Consumer getConsumer(Properties kafkaProps) {
            return new KafkaConsumer(kafkaProps) {
                @Override
                public ConsumerRecords poll(Duration timeout) {
                    long after = armedAfter.get();
                    if (after >= 0 && records.get() >= after && !assignment().isEmpty()
                            && armedAfter.compareAndSet(after, -1)) {
                        thrown.incrementAndGet();
                        thrownAt = System.nanoTime();
                        throw new KafkaException("Record batch for partition " + topicOf(assignment())
                                + " failed its CRC check (injected once)");
                    }
                    ConsumerRecords polled = super.poll(timeout);
                    records.addAndGet(polled.count());
                    if (thrownAt != 0 && recoveredAt == 0 && polled.count() > 0) {
                        recoveredAt = System.nanoTime();
                    }
                    return polled;
                }
            };
        }

        private static String topicOf(Collection<TopicPartition> partitions) {
            return partitions.iterator().next().toString();
        }
    }
}
