package io.cdccamel.stack;

/**
 * How large one change event may be, in one place: a row of up to 50 MB of text, or a 50 MB
 * {@code bytea} printed as hex (100 MB), must pass every hop. Kafka's defaults stop a record at
 * about 1 MB (the producer's {@code max.request.size}, the topic's {@code max.message.bytes}), the
 * producer's buffer at 32 MB and a broker's request at 100 MB; Connect's task then fails and streams
 * nothing more. The consumers' fetch sizes are soft limits (a larger record is still returned).
 * {@code debezium_connect.json}'s {@code topic.creation.default.max.message.bytes} and
 * docker-compose's settings say the same numbers.
 */
public final class RecordLimits {

    /** The largest record: 128 MiB (a 50 MB bytea's hex with its envelope, with room). */
    public static final int MAX_RECORD_BYTES = 128 * 1024 * 1024;
    /** A producer's buffer holds at least two such records while they are sent. */
    public static final long PRODUCER_BUFFER_BYTES = 2L * MAX_RECORD_BYTES + 32L * 1024 * 1024;
    /** A broker's largest request: one such record with its batch's and request's overhead. */
    public static final int MAX_REQUEST_BYTES = MAX_RECORD_BYTES + 16 * 1024 * 1024;

    private RecordLimits() {
    }
}
