package io.cdccamel.route;

import io.cdccamel.store.OutputFiles;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.store.PositionsJournal.Position;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one batch of records (a poll) becomes: the text to append to each output file, in record
 * order; the records that go to the dead-letter topic; and, per partition, the newest record's
 * commit. Built by {@link PrintChangeEvents}, written and committed by {@link WriteChangeEvents}.
 */
public final class PrintedBatch {

    private final List<Output> outputs = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<DeadLetter> owedDeadLetters = new ArrayList<>();
    private final Map<TopicPartition, KafkaManualCommit> commits = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> doneOffsets = new LinkedHashMap<>();
    private int records;
    /** Entries printed to a topic's file (events and tombstones; not dead letters), per topic. */
    private final Map<String, Integer> printedByTopic = new LinkedHashMap<>();
    private int filtered;
    /** The first output's size, roughly: the batch's text is mostly one file's, and a builder that grows copies it each time. */
    private final int expectedChars;

    PrintedBatch(int expectedChars) {
        this.expectedChars = expectedChars;
    }

    /**
     * One append: consecutive entries for the same file. A batch with a dead letter among events
     * has several, written in turn, so that each partition's entries reach the files in offset order.
     */
    public static final class Output implements OutputFiles.Text {
        private final String fileName;
        private final StringBuilder text;
        private String string;
        private final Map<TopicPartition, Position> newest = new LinkedHashMap<>();
        private int snapshotEvents;

        Output(String fileName, int capacity) {
            this.fileName = fileName;
            this.text = new StringBuilder(capacity);
        }

        StringBuilder builder() {
            return text;
        }

        void add(String topic, int partition, long offset, boolean snapshotEvent) {
            newest.put(new TopicPartition(topic, partition), new Position(topic, partition, offset));
            if (snapshotEvent) {
                snapshotEvents++;
            }
        }

        /** {@code <topic>.log} or {@code dead-letter.log}, in the output folder. */
        @Override
        public String fileName() {
            return fileName;
        }

        /** The entries, each ending with a newline. */
        @Override
        public String text() {
            if (string == null) {
                string = text.toString();
            }
            return string;
        }

        /** The newest record of each topic-partition in this output. */
        @Override
        public Iterable<Position> newest() {
            return newest.values();
        }

        /** Snapshot events ({@code op: "r"}) among this output's entries. */
        int snapshotEvents() {
            return snapshotEvents;
        }
    }

    /** A record that could not be printed: its value unchanged, where it was and why. */
    public record DeadLetter(String topic, int partition, long offset, Object key, byte[] value, String reason) {
    }

    /** Adds a record's entry to the output named {@code fileName}, after the entries before it. */
    StringBuilder entry(String fileName, String topic, int partition, long offset, boolean snapshotEvent) {
        Output last = outputs.isEmpty() ? null : outputs.get(outputs.size() - 1);
        if (last == null || !last.fileName.equals(fileName)) {
            last = new Output(fileName, outputs.isEmpty() ? Math.max(1024, expectedChars) : 64 * 1024);
            outputs.add(last);
        }
        last.add(topic, partition, offset, snapshotEvent);
        if (!OutputFormat.DEAD_LETTER_FILE.equals(fileName)) {
            printedByTopic.merge(topic, 1, Integer::sum);
        }
        return last.builder();
    }

    /**
     * A change event the route's steps left out: nothing printed, but its position goes with the
     * batch's last output (or an empty one of {@code fileName}, the file it would have gone to), so
     * that the journal holds it and a retried batch does not offer it to the steps again.
     */
    void filtered(String fileName, String topic, int partition, long offset) {
        filtered++;
        if (outputs.isEmpty()) {
            outputs.add(new Output(fileName, 0));
        }
        outputs.get(outputs.size() - 1).add(topic, partition, offset, false);
    }

    /** Change events of the batch that the route's steps left out. */
    public int filtered() {
        return filtered;
    }

    void deadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
    }

    /** A dead letter of an earlier attempt, journaled but not sent: sent with this batch's, not printed again. */
    void owedDeadLetter(DeadLetter deadLetter) {
        owedDeadLetters.add(deadLetter);
    }

    /** The record is done with (printed, dead-lettered or skipped): its offset may be committed. */
    void done(String topic, int partition, long offset, KafkaManualCommit commit) {
        records++;
        doneOffsets.put(new TopicPartition(topic, partition), offset);
        if (commit != null) {
            commits.put(new TopicPartition(topic, partition), commit);
        }
    }

    /** The appends, in record order. */
    public List<Output> outputs() {
        return outputs;
    }

    /** The records of this batch that could not be printed: journaled with the batch, then sent. */
    public List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** Dead letters journaled by an earlier attempt at these records and not sent yet. */
    public List<DeadLetter> owedDeadLetters() {
        return owedDeadLetters;
    }

    /** The events and tombstones printed, for the log; null when there are none. */
    public String printed() {
        return joined(false);
    }

    /** The dead-letter lines, for the log; null when there are none. */
    public String deadLetterLines() {
        return joined(true);
    }

    private String joined(boolean deadLetterFile) {
        List<Output> matching = outputs.stream().filter(o -> o.fileName.equals(OutputFormat.DEAD_LETTER_FILE) == deadLetterFile).toList();
        if (matching.size() <= 1) {
            // the usual case: the very text appended to the file, not a copy
            return matching.isEmpty() ? null : matching.get(0).text();
        }
        StringBuilder all = new StringBuilder();
        matching.forEach(o -> all.append(o.text()));
        return all.toString();
    }

    /** Records in the batch. */
    public int records() {
        return records;
    }

    Iterable<KafkaManualCommit> commits() {
        return commits.values();
    }

    /** The newest record of each partition of the batch (written, dead-lettered or skipped). */
    Map<TopicPartition, Long> doneOffsets() {
        return doneOffsets;
    }

    /** Entries printed to each topic's file (events and tombstones), per topic. */
    Map<String, Integer> printedByTopic() {
        return printedByTopic;
    }

    /** Snapshot events ({@code op: "r"}) among the batch's entries. */
    int snapshotEvents() {
        return outputs.stream().mapToInt(Output::snapshotEvents).sum();
    }
}
