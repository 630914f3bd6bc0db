package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/**
 * What a topic holds, read from the beginning by a new consumer group with
 * {@code isolation.level=read_committed}, as a user's own consumer should.
 */
final class TopicInserts {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TopicInserts() {
    }

    /**
     * How many times each row id is in the topic as an insert ({@code op: "c"}), read until at
     * least {@code distinct} ids are seen and every partition is read to its end.
     */
    static Map<Integer, Integer> countById(String topic, int distinct) {
        Properties props = new Properties();
        props.put("bootstrap.servers", EmbeddedStackExtension.stack().kafka().bootstrapServers());
        props.put("group.id", "it-read-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        // as the route reads: records of aborted transactions (a killed worker's) are not there
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        Map<Integer, Integer> byId = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        JsonNode v = MAPPER.readTree(r.value());
                        if ("c".equals(v.path("op").asText())) {
                            byId.merge(v.path("after").path("id").asInt(), 1, Integer::sum);
                        }
                    }
                }
                return byId.size() >= distinct && consumer.assignment().stream()
                        .allMatch(tp -> consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp));
            });
        }
        return byId;
    }

    /** Every record of the topic, each partition read from its beginning to its end, with read_committed. */
    static List<ConsumerRecord<String, String>> readToEnd(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", EmbeddedStackExtension.stack().kafka().bootstrapServers());
        props.put("isolation.level", "read_committed");
        List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return records;
    }
}
