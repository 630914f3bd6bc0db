package io.cdccamel.live;

/**
 * The offsets and timestamps of the latest records the live view read from one partition, so that
 * the consumer group's lag can be told in records and in seconds without reading Kafka again.
 * <p>
 * Why not end offset minus committed offset alone: the topics are written in transactions
 * (exactly-once source), and each commit marker takes an offset, so a group that has read every
 * record still "lags" by a marker or more. Counting the data records after the committed offset
 * gives the true figure whenever this ring still holds that offset. Not thread-safe.
 */
final class PartitionTimes {

    /** The group's lag in one partition: records, age in ms of the oldest unread one, exact or a lower bound. */
    record Lag(long records, long millis, boolean exact) {
    }

    private final long[] offsets;
    private final long[] timestamps;
    private int size;
    private int head; // index of the next write
    private long position = -1; // the live view's own consumer position in the partition

    PartitionTimes(int capacity) {
        offsets = new long[capacity];
        timestamps = new long[capacity];
    }

    void add(long offset, long timestamp) {
        offsets[head] = offset;
        timestamps[head] = timestamp;
        head = (head + 1) % offsets.length;
        size = Math.min(size + 1, offsets.length);
    }

    /** The position the live view's consumer reached (records and markers before it are read). */
    void readUpTo(long position) {
        this.position = Math.max(this.position, position);
    }

    private int index(int i) { // i-th oldest
        return Math.floorMod(head - size + i, offsets.length);
    }

    /**
     * @param committed the group's committed offset (the next record it will read)
     * @param end       the partition's end offset (read_committed: the last stable offset)
     */
    Lag lag(long committed, long end, long nowMillis) {
        long upperBound = Math.max(0, end - committed);
        if (upperBound == 0) {
            return new Lag(0, 0, true);
        }
        if (size == 0) {
            return new Lag(upperBound, 0, false);
        }
        long oldest = offsets[index(0)];
        if (committed < oldest) {
            // older than what this view has seen: at least as old as the oldest record it holds
            return new Lag(upperBound, Math.max(0, nowMillis - timestamps[index(0)]), false);
        }
        // binary search: the first record at or after the committed offset
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[index(mid)] < committed) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        long records = 0;
        for (int i = lo; i < size && offsets[index(i)] < end; i++) {
            records++;
        }
        // what this view has not read itself yet counts in full, markers included
        long unread = Math.max(0, end - Math.max(position, committed));
        boolean exact = unread == 0;
        if (records == 0) {
            return new Lag(unread, 0, exact);
        }
        return new Lag(records + unread, Math.max(0, nowMillis - timestamps[index(lo)]), exact);
    }
}
