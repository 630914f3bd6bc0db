package io.cdccamel.events;

/**
 * The Kafka headers of a record in the dead-letter topic, part of the output's format: why the
 * record is there, and where it came from. The print route writes them; the live view and the user's
 * tools read them.
 */
public final class DeadLetterHeaders {

    public static final String REASON = "cdc.dead-letter.reason";
    public static final String SOURCE_TOPIC = "cdc.source.topic";
    public static final String SOURCE_PARTITION = "cdc.source.partition";
    public static final String SOURCE_OFFSET = "cdc.source.offset";

    private DeadLetterHeaders() {
    }
}
