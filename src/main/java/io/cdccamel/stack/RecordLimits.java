package io.cdccamel.stack;

import io.cdccamel.settings.Hermetic;

/**
 * How large one change event may be, in one place. Kafka's defaults stop a record at about 1 MB
 * (the producer's {@code max.request.size}, the topic's {@code max.message.bytes}); Connect's task
 * then fails and streams nothing more. The consumers' fetch sizes are soft limits (a larger record
 * is still returned). {@code debezium_connect.json}'s {@code topic.creation.default.max.message.bytes},
 * the dead-letter producer's {@code camel.component.kafka.max-request-size} and docker-compose's
 * settings say the ceiling, {@value #CEILING_BYTES} bytes.
 * <p>
 * The embedded stack runs Connect, three brokers and the consumers in one JVM, and an event passes
 * through every one of them: Debezium's row, the converter's JSON, the producer's batch, each
 * broker's request buffer (heap, and the JDK's temporary direct buffer of the same size for the
 * socket), the consumers' fetches, the printed text. So the limit follows the JVM's heap: one
 * {@value #HEAP_SHARE}th of {@code -Xmx}, at most the ceiling. Measured (docs/operations.md#big-rows):
 * with {@code -Xmx512m} an event of 100 MB, a 50 MB {@code text} row's update under
 * {@code REPLICA IDENTITY FULL}, ran the JVM out of memory. A larger
 * event fails the connector's task with Kafka's {@code RecordTooLargeException}, which the app reports,
 * rather than the JVM running out of memory with the brokers in it.
 */
public final class RecordLimits {

    /**
     * The largest record any setting allows: 256 MiB, an update of a 50 MB {@code bytea} row under
     * {@code REPLICA IDENTITY FULL} (before and after, each printed as 100,000,000 hex digits:
     * {@code binary.handling.mode=hex}).
     */
    public static final int CEILING_BYTES = 256 * 1024 * 1024;
    /** A broker's largest request: the largest record and the request's own framing. */
    public static final int REQUEST_BYTES = CEILING_BYTES + 1024 * 1024;
    /** The limit is the JVM's maximum heap divided by this. */
    public static final int HEAP_SHARE = 16;
    /** The smallest limit, whatever the heap: four times Kafka's default. */
    static final int FLOOR_BYTES = 4 * 1024 * 1024;
    /** Sets the limit instead ({@code -Dcdc.kafka.max-record-bytes=...}, or {@code CDC_KAFKA_MAX_RECORD_BYTES}). */
    public static final String PROPERTY = "cdc.kafka.max-record-bytes";

    /** The largest socket buffer the JDK keeps per thread once used: {@value #CACHED_SOCKET_BUFFER_BYTES} bytes. */
    public static final int CACHED_SOCKET_BUFFER_BYTES = 16 * 1024 * 1024;

    private RecordLimits() {
    }

    /**
     * Sets {@code jdk.nio.maxCachedBufferSize} unless the user did (the JDK reads it once, when a
     * socket first reads into or writes from a heap buffer: call this first in {@code main}). Each
     * thread that reads a record through a socket into Kafka's heap buffer gets a temporary direct
     * buffer as large as the record, and the JDK keeps it for that thread's next read, without limit
     * by default. Measured with rows of 50 MB ({@code BigRowsIT}, {@code -Xmx3g}): the brokers'
     * network threads, the replica fetchers, Connect's producer and the consumers kept 3 GB of them
     * until the JVM refused the next one ("Cannot reserve 200001170 bytes of direct buffer
     * memory"); Kafka's usual requests and fetches stay below this size and keep their buffers.
     * A buffer not kept is made anew, as large as what remains of the record, for every read: so the
     * brokers' and clients' sockets take the operating system's buffer sizes (Kafka's 32 to 128 KB
     * made a 200 MB record take thousands of such reads, longer than a Connect transaction may last).
     */
    public static void keepNoLargeSocketBuffers() {
        if (System.getProperty("jdk.nio.maxCachedBufferSize") == null) {
            System.setProperty("jdk.nio.maxCachedBufferSize", Integer.toString(CACHED_SOCKET_BUFFER_BYTES));
        }
    }

    /** The largest change event the embedded stack passes, for this JVM. */
    public static int maxRecordBytes() {
        String set = System.getProperty(PROPERTY, Hermetic.getenv("CDC_KAFKA_MAX_RECORD_BYTES"));
        if (set != null && !set.isBlank()) {
            long bytes;
            try {
                bytes = Long.parseLong(set.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PROPERTY + "=" + set + " is not a number of bytes");
            }
            if (bytes < 1024 * 1024 || bytes > CEILING_BYTES) {
                throw new IllegalArgumentException(PROPERTY + "=" + set + " must lie between 1048576 and " + CEILING_BYTES);
            }
            return (int) bytes;
        }
        return forHeap(Runtime.getRuntime().maxMemory());
    }

    /** One {@value #HEAP_SHARE}th of the heap, between {@value #FLOOR_BYTES} bytes and the ceiling. */
    static int forHeap(long maxHeapBytes) {
        return (int) Math.max(FLOOR_BYTES, Math.min(CEILING_BYTES, maxHeapBytes / HEAP_SHARE));
    }

    /** Shortest life of a connector's transaction: a killed worker's open one holds readers back no longer. */
    static final int MIN_TRANSACTION_TIMEOUT_MS = 10_000;
    /** Bytes of the largest event a transaction must be able to carry per second of its life. */
    static final int TRANSACTION_BYTES_PER_SECOND = 8 * 1024 * 1024;

    /**
     * How long a connector's transaction (one poll of Debezium's) may last: 10 s, or longer when the
     * largest event is big, one second per 8 MiB of it (32 s at the 256 MiB ceiling). A poll holding
     * a 50 MB {@code bytea} row's update (a 200 MB event, in hex, before and after) did not commit
     * within 10 s on a busy 2-core machine: the transaction timed out, the task failed, and each
     * restart tried the same poll and failed again (BigRowsIT).
     */
    public static int transactionTimeoutMs(int maxRecordBytes) {
        return Math.max(MIN_TRANSACTION_TIMEOUT_MS, (int) (1000L * maxRecordBytes / TRANSACTION_BYTES_PER_SECOND));
    }

    /** A producer's buffer holds at least two such records while they are sent. */
    public static long producerBufferBytes(int maxRecordBytes) {
        return 2L * maxRecordBytes + 32L * 1024 * 1024;
    }
}
