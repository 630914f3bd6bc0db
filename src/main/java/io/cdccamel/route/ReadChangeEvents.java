package io.cdccamel.route;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.EnvelopeText;
import io.cdccamel.events.InvalidChangeEventException;
import io.cdccamel.store.WrittenPositions;
import io.debezium.data.Envelope;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import java.util.List;

/**
 * The read step ({@value #READ}): the records of a poll (Camel's Kafka consumer in batching mode
 * hands over a list of exchanges, one per record) become a {@link ChangeEventBatch}. Each record is a
 * change event, a tombstone, a dead letter (not JSON, cut short, an unknown {@code op}...: nothing is
 * dropped for its content), or already in the output (by its Kafka position, from the output's
 * positions journal): that one alone is left out of the body. A change event is printed here from its
 * bytes ({@link EnvelopeText}); camel-jackson reads it as a tree only when a route step asks for the
 * record, and for what the bytes' printing leaves to the tree (big values, rarer shapes, bad values).
 * <p>
 * One exchange per poll, not one per record: Camel's per-exchange work (the unit of work, the
 * processors, the file producer opening the file) was most of the route's time per record. That is
 * also why a bad record is a dead letter here, not an {@code onException}: an exception would fail
 * the whole batch, not the one record.
 */
public class ReadChangeEvents implements Processor {

    public static final String READ = "direct:read-change-events";

    private final JacksonDataFormat json;
    private final JsonFactory factory;
    private final WrittenPositions written;
    private final StepFailures stepFailures;

    /**
     * @param json camel-jackson's data format, unmarshalling to a {@link JsonNode} with {@link io.cdccamel.events.ExactJson}'s mapper
     * @param stepFailures the records the route's steps failed on: the part of a poll they get, the records that are dead letters
     */
    public ReadChangeEvents(JacksonDataFormat json, WrittenPositions written, StepFailures stepFailures) {
        this.json = json;
        this.factory = json.getObjectMapper().getFactory();
        this.written = written;
        this.stepFailures = stepFailures;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof List<?> list)) {
            // the consumer's batching=true is checked at start (ConsumerGuarantees): another input, then
            throw new IllegalStateException(READ + " takes a poll's records (a Kafka consumer with batching=true), not "
                    + (body == null ? "null" : body.getClass().getName()));
        }
        @SuppressWarnings("unchecked") // Camel's Kafka consumer in batching mode: a list of exchanges
        List<Exchange> polled = (List<Exchange>) list;
        // all of it, but for a part while the route looks for a record its steps fail on (the rest is fetched again)
        StepFailures.Taken taken = stepFailures.take(polled);
        List<Exchange> consumed = taken.records();
        ChangeEventBatch.Item[] items = new ChangeEventBatch.Item[consumed.size()];
        // the batch's envelopes printed from their bytes, one after the other: a third longer than the values
        long valueBytes = 0;
        for (Exchange record : consumed) {
            byte[] value = record.getMessage().getBody(byte[].class);
            valueBytes += value == null || value.length > EnvelopeText.MAX_VALUE_BYTES ? 0 : value.length;
        }
        StringBuilder printed = new StringBuilder((int) Math.min(8 << 20, valueBytes + valueBytes / 2 + 16));
        for (int i = 0; i < items.length; i++) {
            items[i] = read(consumed.get(i), printed);
        }
        ChangeEventBatch batch = new ChangeEventBatch(consumed, items, this::tree);
        stepFailures.watch(exchange, batch, taken);
        batch.attachTo(exchange);
    }

    private ChangeEventBatch.Item read(Exchange recordExchange, StringBuilder printed) {
        Message record = recordExchange.getMessage();
        String topic = record.getHeader(KafkaConstants.TOPIC, String.class);
        int partition = record.getHeader(KafkaConstants.PARTITION, Integer.class);
        long offset = record.getHeader(KafkaConstants.OFFSET, Long.class);
        return new ChangeEventBatch.Item(topic, partition, offset, record.getHeader(KafkaConstants.KEY),
                record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class),
                written.isNew(topic, partition, offset) ? read(recordExchange, record, printed, stepFailures.deadLetterReason(topic, partition, offset))
                        : written(record, topic, partition, offset));
    }

    /** A record the output holds already; a dead letter of it that is journaled but not sent yet keeps its value, to be sent. */
    private ChangeEventBatch.Written written(Message record, String topic, int partition, long offset) {
        String owed = written.owedDeadLetter(topic, partition, offset);
        return new ChangeEventBatch.Written(owed, owed == null ? null : record.getBody(byte[].class));
    }

    /** @param stepFailed why the route's steps failed on this record's batch too often (it is a dead letter then), or null */
    private ChangeEventBatch.Read read(Exchange recordExchange, Message record, StringBuilder printed, String stepFailed) {
        byte[] value = record.getBody(byte[].class);
        if (stepFailed != null) {
            // a tombstone too: the steps see it, and may fail on it
            return new ChangeEventBatch.DeadLetter(stepFailed, value, true);
        }
        if (value == null) {
            return new ChangeEventBatch.Tombstone(); // Debezium sends one after each delete, for log compaction
        }
        if (value.length <= EnvelopeText.MAX_VALUE_BYTES) {
            int start = printed.length();
            Envelope.Operation operation = EnvelopeText.print(factory, value, printed);
            if (operation != null) {
                return new ChangeEventBatch.Event(operation, printed, start, printed.length());
            }
        }
        // the rarer shapes, big values, and the values that are no change event: the tree prints them, or says what is wrong
        try {
            return new ChangeEventBatch.Event(ChangeEvent.of((JsonNode) json.unmarshal(recordExchange, value)));
        } catch (JacksonException | InvalidChangeEventException e) {
            return new ChangeEventBatch.DeadLetter(DeadLetters.reason(e), value, false);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
    }

    /** A change event's record as a tree (camel-jackson), for the route's steps that read it. */
    private ChangeEvent tree(Exchange recordExchange) {
        try {
            return ChangeEvent.of((JsonNode) json.unmarshal(recordExchange, recordExchange.getMessage().getBody(byte[].class)));
        } catch (Exception e) {
            // its bytes were printed as a change event: the tree's reading of the same bytes cannot fail
            throw new IllegalStateException("A change event printed could not be read as a tree: " + e.getMessage(), e);
        }
    }
}
