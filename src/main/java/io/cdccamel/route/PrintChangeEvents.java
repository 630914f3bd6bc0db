package io.cdccamel.route;

import io.cdccamel.events.OutputFormat;
import io.debezium.data.Envelope;

/**
 * The print part of the write step: a {@link ChangeEventBatch} becomes a {@link PrintedBatch}, the
 * text of each output file in record order ({@link OutputFormat}), the dead letters, and the offset
 * to commit per partition (every record of the poll counts, the ones already written too).
 */
final class PrintChangeEvents {

    private PrintChangeEvents() {
    }

    static PrintedBatch print(ChangeEventBatch batch) {
        long chars = 0;
        for (int i = 0; i < batch.itemCount(); i++) {
            // each entry: a header of about a hundred chars, the envelope, a newline
            chars += 128 + (batch.item(i).read() instanceof ChangeEventBatch.Event e ? e.printedLength() : 0);
        }
        PrintedBatch printed = new PrintedBatch((int) Math.min(Integer.MAX_VALUE - 16, chars));
        for (int i = 0; i < batch.itemCount(); i++) {
            print(batch.item(i), printed);
        }
        return printed;
    }

    private static void print(ChangeEventBatch.Item item, PrintedBatch batch) {
        String topic = item.topic();
        int partition = item.partition();
        long offset = item.offset();
        Object key = item.key();
        ChangeEventBatch.Read read = item.read();
        batch.done(topic, partition, offset, item.commit());
        if (read instanceof ChangeEventBatch.Event e) {
            boolean snapshot = e.operation() == Envelope.Operation.READ;
            StringBuilder out = batch.entry(OutputFormat.fileName(topic), topic, partition, offset, snapshot);
            e.appendTo(OutputFormat.appendHeader(out, topic, partition, offset));
            out.append('\n');
        } else if (read instanceof ChangeEventBatch.Tombstone) {
            batch.entry(OutputFormat.fileName(topic), topic, partition, offset, false)
                    .append(OutputFormat.tombstone(topic, partition, offset, key == null ? null : key.toString()));
        } else if (read instanceof ChangeEventBatch.DeadLetter d) {
            byte[] value = d.value();
            batch.deadLetter(new PrintedBatch.DeadLetter(topic, partition, offset, key, value, d.reason()));
            batch.entry(OutputFormat.DEAD_LETTER_FILE, topic, partition, offset, false)
                    .append(OutputFormat.deadLetter(topic, partition, offset, d.reason(), DeadLetters.preview(value)));
        } else if (read instanceof ChangeEventBatch.Written w && w.owedReason() != null) {
            // in dead-letter.log and journaled already, not sent yet (a crash or a failed send after its batch's journal record)
            batch.owedDeadLetter(new PrintedBatch.DeadLetter(topic, partition, offset, key,
                    w.owedValue(), w.owedReason()));
        }
    }
}
