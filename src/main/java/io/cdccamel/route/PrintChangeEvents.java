package io.cdccamel.route;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ChangeEventFormatter;
import io.cdccamel.events.InvalidChangeEventException;
import io.cdccamel.events.WrittenPositions;
import io.debezium.data.Envelope;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Variable;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The records of one poll (the body Camel's Kafka consumer gives in batching mode: a list of
 * exchanges, one per record, with their {@code CamelKafka*} headers) become a {@link PrintedBatch}:
 * <ul>
 * <li>a record the output already holds (read again after a crash or a retry) is skipped;</li>
 * <li>a tombstone (null value) is one line;</li>
 * <li>an envelope is printed as the seed's Go consumer printed it, every one of them: nothing is
 *     dropped for its content (identical rows of a keyless table, or the rows of a snapshot, share
 *     their source position and may share every byte); re-sends are kept out upstream, by Connect's
 *     exactly-once source and this consumer's {@code read_committed};</li>
 * <li>a value that is not a Debezium envelope (not JSON, cut short, an unknown {@code op}...) is a
 *     dead letter: a line in {@code dead-letter.log}, and the record to the dead-letter topic.</li>
 * </ul>
 * Variable {@code records} lists the records' messages, for a route that splits them
 * ({@code split: ${variable.records}}); each new event among them has its {@link ChangeEvent} as
 * body and the headers of Camel's Debezium consumers ({@code CamelDebeziumOperation}, ...).
 * <p>
 * One exchange per poll, not one per record: Camel's per-exchange work (the unit of work, the
 * processors, the file producer opening the file) was most of the route's time per record. That is
 * also why the dead-letter decision is made here and not by a route configuration's
 * {@code onException}: an exception there would fail the whole batch, not the one record.
 */
public class PrintChangeEvents implements Processor {

    /** Exchange variables the route reads: the batch, and the poll's record exchanges. */
    public static final String BATCH = "batch";
    /** The bean the route's first step calls. */
    public static final String BEAN = "printChangeEvents";
    public static final String RECORDS = "records";

    private final DataFormat json;
    private final ChangeEventFormatter formatter;
    private final WrittenPositions writtenPositions;
    /**
     * Snapshot events ({@code op: "r"}) written: the part of the output that exactly-once does not
     * cover, since Debezium redoes an initial snapshot that a crash interrupted and its rows print again.
     */
    private final LongAdder snapshotEvents = new LongAdder();

    /** @param json camel-jackson's data format, unmarshalling to a {@link JsonNode} ({@link #jsonFormat}) */
    public PrintChangeEvents(DataFormat json, ChangeEventFormatter formatter, WrittenPositions writtenPositions) {
        this.json = json;
        this.formatter = formatter;
        this.writtenPositions = writtenPositions;
    }

    /** Snapshot events ({@code op: "r"}) written to the output since the start. */
    public long snapshotEventCount() {
        return snapshotEvents.sum();
    }

    /** camel-jackson's JSON data format over {@code mapper}, started: what the route unmarshals envelopes with. */
    public static DataFormat jsonFormat(CamelContext context, ObjectMapper mapper) {
        JacksonDataFormat json = new JacksonDataFormat(mapper, JsonNode.class);
        json.setCamelContext(context);
        ServiceHelper.startService(json);
        return json;
    }

    @Override
    public void process(Exchange exchange) {
        List<?> records = exchange.getMessage().getBody(List.class);
        PrintedBatch batch = new PrintedBatch();
        ChangeEvent[] events = new ChangeEvent[records == null ? 0 : records.size()];
        if (records != null) {
            for (int i = 0; i < events.length; i++) {
                events[i] = print((Exchange) records.get(i), batch);
            }
        }
        exchange.setVariable(RECORDS, new Records(records == null ? List.of() : records, events));
        exchange.setVariable(BATCH, batch);
        exchange.getMessage().setBody(batch);
    }

    /** Prints one record into the batch; returns its event, or null when it is no new change event. */
    private ChangeEvent print(Exchange recordExchange, PrintedBatch batch) {
        Message record = recordExchange.getMessage();
        String topic = record.getHeader(KafkaConstants.TOPIC, String.class);
        int partition = record.getHeader(KafkaConstants.PARTITION, Integer.class);
        long offset = record.getHeader(KafkaConstants.OFFSET, Long.class);
        batch.done(topic, partition, record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        if (!writtenPositions.isNew(topic, partition, offset)) {
            return null;
        }
        Object key = record.getHeader(KafkaConstants.KEY);
        byte[] value = record.getBody(byte[].class);
        if (value == null) {
            // a tombstone: Debezium sends one after each delete, for log compaction
            batch.entry(topic + ".log", topic, partition, offset, false)
                    .append(formatter.formatTombstone(topic, partition, offset, key == null ? null : key.toString()));
            return null;
        }
        ChangeEvent event;
        try {
            event = ChangeEvent.of((JsonNode) json.unmarshal(recordExchange, value));
        } catch (JacksonException | InvalidChangeEventException e) {
            String reason = DeadLetters.reason(e);
            batch.deadLetter(new PrintedBatch.DeadLetter(topic, partition, offset, key, value, reason));
            batch.entry(DeadLetters.FILE, topic, partition, offset, false)
                    .append(formatter.formatDeadLetter(topic, partition, offset, reason, DeadLetters.preview(value)));
            return null;
        } catch (Exception e) {
            throw org.apache.camel.RuntimeCamelException.wrapRuntimeCamelException(e);
        }
        boolean snapshot = event.operation() == Envelope.Operation.READ;
        formatter.formatTo(batch.entry(topic + ".log", topic, partition, offset, snapshot), topic, partition, offset, event);
        return event;
    }

    /**
     * The poll's record messages (messages, not exchanges: a split over them gives each part the
     * record's headers and body). A record printed as an event gets its {@link ChangeEvent} as body
     * and the {@code CamelDebezium*} headers when it is first read from this list, so that a route
     * that does not split the records does not pay for them.
     */
    private static final class Records extends java.util.AbstractList<Message> {
        private final List<?> exchanges;
        private final ChangeEvent[] events;

        Records(List<?> exchanges, ChangeEvent[] events) {
            this.exchanges = exchanges;
            this.events = events;
        }

        @Override
        public Message get(int index) {
            Message record = ((Exchange) exchanges.get(index)).getMessage();
            ChangeEvent event = events[index];
            if (event != null) {
                events[index] = null;
                DebeziumHeaders.apply(record, record.getHeader(KafkaConstants.TOPIC, String.class),
                        record.getHeader(KafkaConstants.KEY), event);
            }
            return record;
        }

        @Override
        public int size() {
            return exchanges.size();
        }
    }

    /** An output is appended to its file: its records are in the output from now on. */
    public void written(@Variable("output") PrintedBatch.Output output,
                        @org.apache.camel.Header(Exchange.FILE_NAME_PRODUCED) String produced) {
        output.produced(produced);
        for (PrintedBatch.Position p : output.newest()) {
            writtenPositions.written(p.topic(), p.partition(), p.offset());
        }
        snapshotEvents.add(output.snapshotEvents());
    }
}
