package io.cdccamel.route;

import io.cdccamel.events.OutputFormat;
import io.debezium.data.Envelope;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;

import java.util.concurrent.atomic.LongAdder;

/**
 * The print part of the write step: a {@link ChangeEventBatch} becomes a {@link PrintedBatch}, the
 * text of each output file in record order ({@link OutputFormat}), the dead letters, and the offset
 * to commit per partition (every record of the poll counts, the ones already written too).
 */
public class PrintChangeEvents {

    /**
     * Snapshot events ({@code op: "r"}) written: the part of the output that exactly-once does not
     * cover, since Debezium redoes an initial snapshot that a crash interrupted and its rows print again.
     */
    private final LongAdder snapshotEvents = new LongAdder();

    public PrintChangeEvents() {
    }

    /** Snapshot events ({@code op: "r"}) written to the output since the start. */
    public long snapshotEventCount() {
        return snapshotEvents.sum();
    }

    /** Prints the batch of the read step into variable {@value WriteChangeEvents#PRINTED}. */
    public void print(Exchange exchange, @ExchangeProperty(ChangeEventBatch.PROPERTY) ChangeEventBatch batch) {
        if (batch == null) {
            throw new IllegalStateException("No batch of records to write: the route must call "
                    + WriteChangeEvents.READ + " before " + WriteChangeEvents.WRITE);
        }
        PrintedBatch printed = new PrintedBatch();
        for (int i = 0; i < batch.recordCount(); i++) {
            print(batch.item(i), printed);
        }
        exchange.setVariable(WriteChangeEvents.PRINTED, printed);
    }

    private void print(ChangeEventBatch.Item item, PrintedBatch batch) {
        String topic = item.topic();
        int partition = item.partition();
        long offset = item.offset();
        Object key = item.key();
        ChangeEventBatch.Read read = item.read();
        batch.done(topic, partition, offset, item.commit());
        if (read instanceof ChangeEventBatch.Event e) {
            boolean snapshot = e.event().operation() == Envelope.Operation.READ;
            OutputFormat.appendEvent(batch.entry(OutputFormat.fileName(topic), topic, partition, offset, snapshot),
                    topic, partition, offset, e.event());
        } else if (read instanceof ChangeEventBatch.Tombstone) {
            batch.entry(OutputFormat.fileName(topic), topic, partition, offset, false)
                    .append(OutputFormat.tombstone(topic, partition, offset, key == null ? null : key.toString()));
        } else if (read instanceof ChangeEventBatch.DeadLetter d) {
            byte[] value = d.value();
            batch.deadLetter(new PrintedBatch.DeadLetter(topic, partition, offset, key, value, d.reason()));
            batch.entry(OutputFormat.DEAD_LETTER_FILE, topic, partition, offset, false)
                    .append(OutputFormat.deadLetter(topic, partition, offset, d.reason(), DeadLetters.preview(value)));
        }
    }

    /** The batch is written and committed: its snapshot events count. */
    public void written(@Variable(WriteChangeEvents.PRINTED) PrintedBatch batch) {
        snapshotEvents.add(batch.snapshotEvents());
    }
}
