package io.cdccamel.live;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counters of one table since the app started: totals by op, the rate over the last seconds (in
 * one-second buckets), and when its last event was written to Kafka. Not thread-safe: {@link LiveState} guards it.
 */
final class TableStats {

    static final int WINDOW_SECONDS = 5;

    private final Map<String, Long> totals = new TreeMap<>();
    // buckets[i] counts the events of second (bucketSecond - i)
    private final long[] buckets = new long[WINDOW_SECONDS + 1];
    private long bucketSecond;
    private long lastEventTimestamp;
    private long lastSeenAt;

    void add(String op, long recordTimestamp, long nowMillis) {
        totals.merge(op, 1L, Long::sum);
        roll(nowMillis / 1000);
        buckets[0]++;
        lastEventTimestamp = Math.max(lastEventTimestamp, recordTimestamp);
        lastSeenAt = nowMillis;
    }

    private void roll(long second) {
        if (second <= bucketSecond) {
            return;
        }
        long shift = Math.min(buckets.length, second - bucketSecond);
        System.arraycopy(buckets, 0, buckets, (int) shift, buckets.length - (int) shift);
        for (int i = 0; i < shift; i++) {
            buckets[i] = 0;
        }
        bucketSecond = second;
    }

    /** Events per second over the last {@link #WINDOW_SECONDS} full seconds. */
    double rate(long nowMillis) {
        roll(nowMillis / 1000);
        long sum = 0;
        for (int i = 1; i < buckets.length; i++) {
            sum += buckets[i];
        }
        return (double) sum / WINDOW_SECONDS;
    }

    Map<String, Object> view(long nowMillis) {
        Map<String, Object> view = new TreeMap<>();
        view.put("totals", new TreeMap<>(totals));
        view.put("rate", Math.round(rate(nowMillis) * 10) / 10.0);
        view.put("lastEvent", lastEventTimestamp);
        view.put("lastSeen", lastSeenAt);
        return view;
    }
}
