package io.cdccamel.route;

import io.cdccamel.events.ChangeEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import java.util.AbstractList;
import java.util.List;

/**
 * The records of one poll, read ({@link ReadChangeEvents}) and not yet written: what the route's
 * own steps see as the body, one message per record the output does not hold yet, in record order.
 * A message of a change event has its {@link ChangeEvent} as body and the headers of Camel's Debezium
 * consumers ({@code CamelDebeziumOperation}, {@code CamelDebeziumIdentifier}, ...), set when it is
 * first read from this list, so that a route that does not look at the records does not pay for them;
 * a tombstone's body is null, a dead letter's its bytes. Every message keeps its
 * camel-kafka headers ({@code KafkaConstants}).
 * <p>
 * The write step ({@link WriteChangeEvents}) reads the batch from an exchange property, not from
 * the body: whatever the steps between do to the body, every record is written and committed.
 */
public final class ChangeEventBatch extends AbstractList<Message> {

    /** The exchange property that carries the batch from the read step to the write step. */
    public static final String PROPERTY = "CdcChangeEventBatch";

    /** What reading made of one record. */
    sealed interface Read permits Event, Tombstone, DeadLetter, Written {
    }

    record Event(ChangeEvent event) implements Read {
    }

    record Tombstone() implements Read {
    }

    record DeadLetter(String reason, byte[] value) implements Read {
    }

    /** Already in the output: read again after a crash or a retried batch. */
    record Written() implements Read {
    }

    /** A record as read: its position, key and commit are kept here, so that no step can change them. */
    record Item(String topic, int partition, long offset, Object key, KafkaManualCommit commit, Read read) {
    }

    private final List<Exchange> records;
    private final Item[] reads;
    private final int[] fresh;
    private final boolean[] headersSet;

    ChangeEventBatch(List<Exchange> records, Item[] reads) {
        this.records = records;
        this.reads = reads;
        int n = 0;
        for (Item read : reads) {
            n += read.read() instanceof Written ? 0 : 1;
        }
        this.fresh = new int[n];
        for (int i = 0, j = 0; i < reads.length; i++) {
            if (!(reads[i].read() instanceof Written)) {
                fresh[j++] = i;
            }
        }
        this.headersSet = new boolean[n];
    }

    /** Records in the poll, the written ones included. */
    int recordCount() {
        return records.size();
    }

    Item item(int index) {
        return reads[index];
    }

    @Override
    public Message get(int index) {
        Message record = records.get(fresh[index]).getMessage();
        Item item = reads[fresh[index]];
        if (!headersSet[index] && item.read() instanceof Event e) {
            headersSet[index] = true;
            DebeziumHeaders.apply(record, item.topic(), item.key(), e.event());
        }
        return record;
    }

    @Override
    public int size() {
        return fresh.length;
    }
}
