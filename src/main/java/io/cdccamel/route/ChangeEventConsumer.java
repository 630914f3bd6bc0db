package io.cdccamel.route;

import org.apache.camel.Endpoint;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualAsyncCommitFactory;
import org.apache.camel.spi.EndpointStrategy;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings of the consumer of {@code cdc.topics} that the write step relies on, set on that
 * endpoint when Camel creates it, whatever the YAML route's {@code from} says: the route's file
 * sets what a user chooses (topics, group, threads), none of its edits can turn these off.
 * <ul>
 * <li>batching: a poll's records in one exchange (one append, one sync, one commit per batch);</li>
 * <li>no auto-commit: offsets are committed by the write step once the text is synced;</li>
 * <li>break on first error: a batch that could not be written is fetched again, never skipped;</li>
 * <li>read_committed: only records of Connect's committed transactions (exactly-once source);</li>
 * <li>bytes in, so that a value that is not UTF-8 reaches the dead letters intact; no record header
 *     becomes a Camel header ({@link DropRecordHeaders}); new topics of a pattern seen within 10 s.</li>
 * </ul>
 */
public class ChangeEventConsumer implements EndpointStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeEventConsumer.class);

    private final String topics;
    private final int batchSize;
    private final int batchWaitMillis;

    public ChangeEventConsumer(String topics, int batchSize, int batchWaitMillis) {
        this.topics = topics;
        this.batchSize = batchSize;
        this.batchWaitMillis = batchWaitMillis;
    }

    @Override
    public Endpoint registerEndpoint(String uri, Endpoint endpoint) {
        if (endpoint instanceof KafkaEndpoint kafka && topics.equals(kafka.getConfiguration().getTopic())) {
            configure(kafka);
        }
        return endpoint;
    }

    private void configure(KafkaEndpoint endpoint) {
        KafkaConfiguration c = endpoint.getConfiguration();
        c.setBatching(true);
        c.setMaxPollRecords(batchSize);
        c.setPollTimeoutMs((long) batchWaitMillis);
        c.setBatchingIntervalMs(batchWaitMillis);
        c.setAutoCommitEnable(false);
        c.setAllowManualCommit(true);
        endpoint.setKafkaManualCommitFactory(new DefaultKafkaManualAsyncCommitFactory());
        c.setBreakOnFirstError(true);
        c.setIsolationLevel("read_committed");
        c.setAutoOffsetReset("earliest");
        c.setValueDeserializer(ByteArrayDeserializer.class.getName());
        c.setHeaderFilterStrategy(new DropRecordHeaders());
        // the topics are found by pattern: a table's topic, created by Connect when its first event
        // comes (the demo table's at the first start), is seen at the next metadata refresh. Kafka's
        // default is 5 min; 10 s held the first start's first event back 6-10 s after the banner.
        c.setMetadataMaxAgeMs(1_000);
        Map<String, Object> extra = new HashMap<>(c.getAdditionalProperties() == null ? Map.of() : c.getAdditionalProperties());
        extra.put("allow.auto.create.topics", "false");
        c.setAdditionalProperties(extra);
        LOG.debug("Consumer of {}: batches of up to {} records, offsets committed after the write, read_committed",
                topics, batchSize);
    }
}
