package io.cdccamel.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a consumer group committed on the shared test stack's brokers. */
final class GroupOffsets {

    private GroupOffsets() {
    }

    /**
     * Waits (a minute at most) until {@code group} has committed to the end of each partition it
     * reads: every consumed record accounted for. The end offset may lie one past the last record
     * (a transaction's commit marker).
     */
    static void awaitCommittedToTheEnd(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedStackExtension.stack().kafka().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                        .collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                assertThat(committed).isNotEmpty();
                committed.forEach((tp, offset) -> assertThat(offset.offset()).as("committed of %s", tp)
                        .isGreaterThanOrEqualTo(ends.get(tp).offset() - 1));
            });
        }
    }
}
