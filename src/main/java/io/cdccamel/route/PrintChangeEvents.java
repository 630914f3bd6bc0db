package io.cdccamel.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.InvalidChangeEventException;
import io.cdccamel.events.OutputFormat;
import io.debezium.data.Envelope;

import java.util.List;

/**
 * The print part of the write step: a {@link ChangeEventBatch} becomes a {@link PrintedBatch}, the
 * text of each output file in record order ({@link OutputFormat}), the dead letters, and the offset
 * to commit per partition (every record of the poll counts, the ones already written too).
 */
final class PrintChangeEvents {

    private PrintChangeEvents() {
    }

    static PrintedBatch print(ChangeEventBatch batch) {
        return print(batch, null);
    }

    /** @param edited what the route's steps left, or null when they left the read step's list untouched (printed as read) */
    static PrintedBatch print(ChangeEventBatch batch, StepOutput edited) {
        long chars = 0;
        for (int i = 0; i < batch.itemCount(); i++) {
            // each entry: a header of about a hundred chars, the envelope, a newline
            chars += 128 + (batch.item(i).read() instanceof ChangeEventBatch.Event e ? e.printedLength() : 0);
        }
        PrintedBatch printed = new PrintedBatch((int) Math.min(Integer.MAX_VALUE - 16, chars));
        for (int i = 0; i < batch.itemCount(); i++) {
            print(batch.item(i), printed, edited);
        }
        return printed;
    }

    private static void print(ChangeEventBatch.Item item, PrintedBatch batch, StepOutput edited) {
        String topic = item.topic();
        int partition = item.partition();
        long offset = item.offset();
        Object key = item.key();
        ChangeEventBatch.Read read = item.read();
        batch.done(topic, partition, offset, item.commit());
        if (read instanceof ChangeEventBatch.Event && edited != null) {
            printEdited(topic, partition, offset, edited, batch);
        } else if (read instanceof ChangeEventBatch.Tombstone && edited != null) {
            String line = edited.jsonLines()
                    ? tombstoneLine(edited, topic, partition, offset, key)
                    : OutputFormat.tombstone(topic, partition, offset, key == null ? null : key.toString());
            batch.entry(edited.fileName(topic, null), topic, partition, offset, false).append(line);
        } else if (read instanceof ChangeEventBatch.Event e) {
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

    /** The elements the steps left for one event, each an entry; none: the record was filtered out, its position journaled all the same. */
    private static void printEdited(String topic, int partition, long offset, StepOutput edited, PrintedBatch batch) {
        List<ObjectNode> elements = edited.elements(topic, partition, offset);
        if (elements.isEmpty()) {
            batch.filtered(edited.fileName(topic, null), topic, partition, offset);
            return;
        }
        for (ObjectNode element : elements) {
            ObjectNode envelope = element.deepCopy();
            envelope.remove(WriteChangeEvents.KAFKA);
            ChangeEvent event;
            try {
                event = ChangeEvent.of(envelope);
            } catch (InvalidChangeEventException e) {
                throw new StepOutput.StepOutputException("the change event at " + topic + "/" + partition + "@" + offset
                        + " that the steps left is no longer one: " + e.getMessage());
            }
            StringBuilder out = batch.entry(edited.fileName(topic, element), topic, partition, offset,
                    event.operation() == Envelope.Operation.READ);
            if (edited.jsonLines()) {
                out.append(json(edited, element)).append('\n');
            } else {
                OutputFormat.appendEvent(out, topic, partition, offset, event);
            }
        }
    }

    private static String tombstoneLine(StepOutput edited, String topic, int partition, long offset, Object key) {
        ObjectNode line = edited.mapper().createObjectNode();
        line.putNull("op");
        ObjectNode kafka = line.putObject(WriteChangeEvents.KAFKA);
        kafka.put("topic", topic);
        kafka.put("partition", partition);
        kafka.put("offset", offset);
        kafka.put("key", key == null ? null : key.toString());
        return json(edited, line) + "\n";
    }

    /** One line: JSON escapes every newline inside a value. */
    private static String json(StepOutput edited, JsonNode node) {
        try {
            return edited.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree could not be written: " + e.getMessage(), e);
        }
    }
}
