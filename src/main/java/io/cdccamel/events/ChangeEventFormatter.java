package io.cdccamel.events;

import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Turns a record into the text the seed tutorial's Go consumer printed:
 * {@code Message on [ Topic: T , Partition: P, Offset: O ] } followed, on the same line, by the
 * envelope as indented JSON (Go's {@code Printf} then {@code Println}). Plain Java; the annotations
 * let a route call it with the record's Kafka headers without evaluating expressions per record.
 */
public class ChangeEventFormatter {

    /** The header line, exactly as the Go program's {@code Printf} wrote it (note the space before the comma). */
    public String header(String topic, int partition, long offset) {
        return "Message on [ Topic: " + topic + " , Partition: " + partition + ", Offset: " + offset + " ] ";
    }

    /** Header and envelope, ending with a newline. */
    public String format(@Header(KafkaConstants.TOPIC) String topic, @Header(KafkaConstants.PARTITION) int partition,
                         @Header(KafkaConstants.OFFSET) long offset, @Body ChangeEvent event) {
        return header(topic, partition, offset) + GoJsonWriter.write(event.payload()) + "\n";
    }

    /** One line for a null value: the marker Debezium sends after a delete so that compaction can drop the key. */
    public String formatTombstone(@Header(KafkaConstants.TOPIC) String topic, @Header(KafkaConstants.PARTITION) int partition,
                                  @Header(KafkaConstants.OFFSET) long offset, @Header(KafkaConstants.KEY) String key) {
        return header(topic, partition, offset) + "tombstone (null value) for key " + key + "\n";
    }

    /** One line for the dead-letter log: where the record was, and why it was not printed. */
    public String formatDeadLetter(String topic, int partition, long offset, String reason, String valuePreview) {
        return "Dead letter on [ Topic: " + topic + " , Partition: " + partition + ", Offset: " + offset + " ] reason: "
                + oneLine(reason) + " | value: " + valuePreview + "\n";
    }

    private static String oneLine(String text) {
        return text == null ? "unknown" : text.replace('\n', ' ').replace('\r', ' ');
    }
}
