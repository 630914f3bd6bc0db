package io.cdccamel.stack;

/**
 * How large one change event may be, in one place. Kafka's defaults stop a record at about 1 MB
 * (the producer's {@code max.request.size}, the topic's {@code max.message.bytes}); Connect's task
 * then fails and streams nothing more. The consumers' fetch sizes are soft limits (a larger record
 * is still returned). {@code debezium_connect.json}'s {@code topic.creation.default.max.message.bytes}
 * and docker-compose's settings say the same number.
 * <p>
 * Why 64 MiB and not more: the embedded stack runs Connect, three brokers and the consumers in one
 * JVM of 512 MB. Tried with 128 MiB, a 50 MB row's event was held at once by Debezium, the
 * producer, each broker's request buffer (direct memory) and the consumers, and the JVM ran out of
 * heap and direct memory; a row larger than this limit still fails the connector's task.
 */
public final class RecordLimits {

    /** The largest record: 64 MiB (an update of a table with REPLICA IDENTITY FULL carries the row twice). */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;
    /** A producer's buffer holds at least two such records while they are sent. */
    public static final long PRODUCER_BUFFER_BYTES = 2L * MAX_RECORD_BYTES + 32L * 1024 * 1024;

    private RecordLimits() {
    }
}
