package io.cdccamel.route;

import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.OutputFormat;
import io.debezium.data.Envelope;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.AbstractList;
import java.util.List;
import java.util.function.Function;

/**
 * The records of one poll, from the read step ({@link ReadChangeEvents}) to the write step
 * ({@link WriteChangeEvents}): the one thing the two share. The read step puts it on the exchange
 * ({@link #attachTo}), the write step takes it back ({@link #of}), whatever the route's own steps
 * between did to the body or the headers; each record's position, key and commit are kept here, so
 * that every consumed record's offset is committed and its position journaled whatever the steps write.
 * <p>
 * What the route's own steps see as the body is {@link #records()}: one message per record the
 * output does not hold yet, in record order. A message of a change event has its {@link ChangeEvent}
 * as body and the headers of Camel's Debezium consumers ({@code CamelDebeziumOperation},
 * {@code CamelDebeziumIdentifier}, ...), set when it is first read from that list, so that a route
 * that does not look at the records does not pay for them; a tombstone's body is null, a dead
 * letter's its bytes. Every message keeps its {@code CamelKafka*} headers. Asked for as a JSON
 * array (a {@code transform}, a bean taking an {@code ArrayNode}), the list becomes
 * {@link #envelopes}; what the steps leave as the body is what the write step writes
 * ({@link StepOutput}).
 */
public final class ChangeEventBatch {

    /** The exchange property the batch rides in: private, read and written by this class only. */
    private static final String PROPERTY = "CdcChangeEventBatch";

    /** What reading made of one record. */
    sealed interface Read permits Event, Tombstone, DeadLetter, Written {
    }

    /**
     * A change event: its operation and its envelope, as printed from the record's bytes
     * ({@link io.cdccamel.events.EnvelopeText}) or as a tree ({@link ChangeEvent}) to print. The tree of an event
     * printed from its bytes is read only when a route step asks for the record.
     */
    static final class Event implements Read {
        private final Envelope.Operation operation;
        private final CharSequence printed;
        private final int start;
        private final int end;
        private ChangeEvent tree;

        /** An event printed already: {@code printed} holds its envelope from {@code start} to {@code end}. */
        Event(Envelope.Operation operation, CharSequence printed, int start, int end) {
            this.operation = operation;
            this.printed = printed;
            this.start = start;
            this.end = end;
        }

        /** An event read as a tree, printed when the batch is. */
        Event(ChangeEvent tree) {
            this(tree.operation(), null, 0, 0);
            this.tree = tree;
        }

        Envelope.Operation operation() {
            return operation;
        }

        /** Appends the envelope as printed: no header, no newline. */
        void appendTo(StringBuilder out) {
            if (printed != null) {
                out.append(printed, start, end);
            } else {
                OutputFormat.appendEnvelope(tree, out);
            }
        }

        /** Chars printed already (0 for a tree not printed yet). */
        int printedLength() {
            return end - start;
        }

        ChangeEvent tree(Exchange record, Function<Exchange, ChangeEvent> trees) {
            if (tree == null) {
                tree = trees.apply(record);
            }
            return tree;
        }
    }

    record Tombstone() implements Read {
    }

    /**
     * A record that cannot be printed: not a change event ({@code stepsFailed} false, the steps see its
     * bytes), or one the route's steps failed on alone ({@link StepFailures}: kept from the steps).
     */
    record DeadLetter(String reason, byte[] value, boolean stepsFailed) implements Read {
    }

    /**
     * Already in the output: read again after a crash or a retried batch. {@code owedReason} is set
     * when the record is a dead letter journaled with its batch but not sent yet: it is sent now,
     * not printed again.
     */
    record Written(String owedReason, byte[] owedValue) implements Read {
    }

    /** A record as read. */
    record Item(String topic, int partition, long offset, Object key, KafkaManualCommit commit, Read read) {
    }

    private final List<Exchange> consumed;
    private final Item[] items;
    private final Function<Exchange, ChangeEvent> trees;
    private final Records records;
    private PrintedBatch printed;

    /** @param trees reads a change event's record as a tree, when a route step asks for it */
    ChangeEventBatch(List<Exchange> consumed, Item[] items, Function<Exchange, ChangeEvent> trees) {
        this.consumed = consumed;
        this.items = items;
        this.trees = trees;
        this.records = new Records();
    }

    /** The batch the read step put on this exchange. */
    public static ChangeEventBatch of(Exchange exchange) {
        ChangeEventBatch batch = exchange.getProperty(PROPERTY, ChangeEventBatch.class);
        if (batch == null) {
            throw new IllegalStateException("No batch of records to write: the route must call "
                    + ReadChangeEvents.READ + " before " + WriteChangeEvents.WRITE);
        }
        return batch;
    }

    /** Puts the batch on the exchange, for the write step, and its new records in the body, for the route's steps. */
    void attachTo(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
        exchange.getMessage().setBody(records);
    }

    /** The records the output does not hold yet, one message each, in record order: the body the route's steps see. */
    public List<Message> records() {
        return records;
    }

    /** True when the batch has a change event to write (not only tombstones, dead letters and records written before). */
    boolean hasEvents() {
        for (Item item : items) {
            if (item.read() instanceof Event) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code body} is still the read step's list: the steps left the output as read. */
    boolean isUntouched(Object body) {
        return body == records;
    }

    /** What the write step printed, appended and committed of this batch; null before it ran. */
    public PrintedBatch printed() {
        return printed;
    }

    void printed(PrintedBatch printed) {
        this.printed = printed;
    }

    /** Records in the poll, the written ones included. */
    int itemCount() {
        return items.length;
    }

    Item item(int index) {
        return items[index];
    }

    /**
     * The batch's change events as the JSON array the route's steps reshape: a copy of each new
     * event's envelope, in record order, with its record's position in a {@code kafka} field
     * ({@code topic}, {@code partition}, {@code offset}, {@code key}). Tombstones, dead letters and
     * records written before are not in it: the write step handles those as before.
     */
    ArrayNode envelopes(JsonNodeFactory nodes) {
        ArrayNode array = nodes.arrayNode(records.size());
        for (int j = 0; j < records.fresh.length; j++) {
            Item item = items[records.fresh[j]];
            if (item.read() instanceof Event e) {
                ObjectNode element = ((ObjectNode) e.tree(consumed.get(records.fresh[j]), trees).payload()).deepCopy();
                ObjectNode kafka = element.putObject(WriteChangeEvents.KAFKA);
                kafka.put("topic", item.topic());
                kafka.put("partition", item.partition());
                kafka.put("offset", item.offset());
                kafka.put("key", item.key() == null ? null : item.key().toString());
                array.add(element);
            }
        }
        return array;
    }

    /**
     * The new records' messages, their Debezium headers set on first access: the body the read step
     * leaves. Unmodifiable, so that the write step knows it untouched when it still finds this very list.
     */
    final class Records extends AbstractList<Message> {

        /** {@link ChangeEventBatch#envelopes}: what Camel's type converters make of this list as a JSON array. */
        ArrayNode envelopes(JsonNodeFactory nodes) {
            return ChangeEventBatch.this.envelopes(nodes);
        }

        private final int[] fresh;
        private final boolean[] headersSet;

        Records() {
            int n = 0;
            for (Item item : items) {
                n += offered(item) ? 1 : 0;
            }
            fresh = new int[n];
            for (int i = 0, j = 0; i < items.length; i++) {
                if (offered(items[i])) {
                    fresh[j++] = i;
                }
            }
            headersSet = new boolean[n];
        }

        /** Offered to the steps: not written before, and not a record they failed on alone. */
        private static boolean offered(Item item) {
            return !(item.read() instanceof Written || item.read() instanceof DeadLetter d && d.stepsFailed());
        }

        @Override
        public Message get(int index) {
            Exchange exchange = consumed.get(fresh[index]);
            Message record = exchange.getMessage();
            Item item = items[fresh[index]];
            if (!headersSet[index] && item.read() instanceof Event e) {
                headersSet[index] = true;
                DebeziumHeaders.apply(record, item.topic(), item.key(), e.tree(exchange, trees));
            }
            return record;
        }

        @Override
        public int size() {
            return fresh.length;
        }
    }
}
