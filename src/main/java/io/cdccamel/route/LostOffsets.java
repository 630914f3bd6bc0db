package io.cdccamel.route;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import java.util.List;
import java.util.TreeMap;
import io.cdccamel.kafka.KafkaAdmins;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Records the print route never read because Kafka deleted them first (retention, or records
 * deleted by hand): the consumer group's committed offset lies before the partition's first
 * record. Kafka's consumer would go on from the earliest record in silence
 * ({@code auto.offset.reset=earliest}); this check says so first, in one ERROR line per partition
 * with how many records were lost, and counts them ({@code cdc_consumer_lost_records_total}).
 * Run before the print route starts and every {@code cdc.consumer.lost-offsets-check.ms}.
 */
public final class LostOffsets implements MeterBinder {

    public static final String ON_LOST = "cdc.consumer.on-lost-offsets";
    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.lost-offsets");

    /** A partition whose committed position was deleted: {@code lost} records in {@code [committed, earliest)}. */
    public record Loss(TopicPartition partition, long committed, long earliest) {
        long lost() {
            return earliest - committed;
        }
    }

    private final KafkaAdmins admins;
    private final String group;
    private final Pattern topics;
    private final AtomicLong lostRecords = new AtomicLong();
    private final Map<TopicPartition, Long> reported = new HashMap<>();

    public LostOffsets(KafkaAdmins admins, String group, Pattern topics) {
        this.admins = admins;
        this.group = group;
        this.topics = topics;
    }

    /** Records lost so far (each partition's loss counted once). */
    /** Counter {@code cdc.consumer.lost.records}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("cdc.consumer.lost.records", this, LostOffsets::lostRecords)
                .description("Records Kafka deleted (retention, or by hand) before the print route read them").register(registry);
    }

    public long lostRecords() {
        return lostRecords.get();
    }

    /** Finds, logs and counts the partitions whose committed offset Kafka no longer has. */
    public synchronized Map<TopicPartition, Loss> check() throws Exception {
        Map<TopicPartition, Loss> losses = new LinkedHashMap<>();
        try (Admin admin = admins.create("cdc-camel-lost-offsets", Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ours = new HashMap<>();
            committed.forEach((tp, offset) -> {
                if (offset != null && topics.matcher(tp.topic()).matches()) {
                    ours.put(tp, OffsetSpec.earliest());
                }
            });
            if (ours.isEmpty()) {
                return losses;
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = admin.listOffsets(ours).all()
                    .get(5, TimeUnit.SECONDS);
            earliest.forEach((tp, info) -> {
                long position = committed.get(tp).offset();
                if (position < info.offset()) {
                    losses.put(tp, new Loss(tp, position, info.offset()));
                }
            });
        }
        for (Loss loss : losses.values()) {
            Long before = reported.put(loss.partition(), loss.earliest());
            if (before == null || before != loss.earliest()) {
                lostRecords.addAndGet(loss.lost());
                LOG.error("Consumer group {} had read {} up to offset {}, but its first record now is at offset {}: {} record(s) "
                        + "were deleted (retention, or by hand) before they were printed; they are not in the output",
                        group, loss.partition(), loss.committed(), loss.earliest(), String.format("%,d", loss.lost()));
            }
        }
        return losses;
    }

    /**
     * The printed topics that delete records by age ({@code retention.ms} not -1): topics created
     * before {@code debezium_connect.json} said {@code topic.creation.default.retention.ms=-1}, or by
     * hand. A print route stopped for longer than that loses records; said once, at start, with the
     * command that changes it.
     */
    public void warnTimeRetention() throws Exception {
        Map<String, Long> byAge = new TreeMap<>();
        try (Admin admin = admins.create("cdc-camel-retention", Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            List<ConfigResource> printed = admin.listTopics().names()
                    .get(5, TimeUnit.SECONDS).stream().filter(t -> topics.matcher(t).matches())
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            if (printed.isEmpty()) {
                return;
            }
            admin.describeConfigs(printed).all().get(5, TimeUnit.SECONDS).forEach((resource, config) -> {
                ConfigEntry retention = config.get("retention.ms");
                if (retention != null && retention.value() != null && Long.parseLong(retention.value()) >= 0) {
                    byAge.put(resource.name(), Long.parseLong(retention.value()));
                }
            });
        }
        byAge.forEach((topic, ms) -> LOG.warn("Topic {} deletes records older than {} (retention.ms={}): a print route stopped "
                + "that long loses them. To keep them until the size bound: kafka-configs.sh --bootstrap-server <brokers> "
                + "--alter --entity-type topics --entity-name {} --add-config retention.ms=-1,retention.bytes=1073741824",
                topic, Duration.ofMillis(ms).toString().substring(2).toLowerCase(), ms, topic));
    }
}
