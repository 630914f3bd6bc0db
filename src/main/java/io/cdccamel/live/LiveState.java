package io.cdccamel.live;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live view knows of the change stream, fed by {@link ChangeTail}: the newest events,
 * the events not pushed to the pages yet (capped: at a high rate the pages get the newest and a
 * count of the others), per-table counters, dead letters, and per-partition record times for the
 * lag. Every method is synchronized: one writer thread, a reader every few hundred ms.
 */
final class LiveState {

    /** A record of the dead-letter topic: why it could not be printed, and where it came from. */
    record DeadLetter(long timestamp, String reason, String sourceTopic, String sourcePartition, String sourceOffset,
                      String preview) {
    }

    /** What one push carries of the stream: the new events (newest last) and how many were left out. */
    record Batch(List<EventDigest> events, long skipped) {
    }

    private final int keep;
    private final int perPush;
    private final int timesPerPartition;
    private final ArrayDeque<EventDigest> recent = new ArrayDeque<>();
    private final ArrayDeque<EventDigest> pending = new ArrayDeque<>();
    private long skipped;
    private final Map<String, TableStats> tables = new TreeMap<>();
    private final ArrayDeque<DeadLetter> deadLetters = new ArrayDeque<>();
    private final Map<String, Long> deadLettersByTopic = new TreeMap<>();
    private long deadLetterCount;
    private final Map<TopicPartition, PartitionTimes> times = new HashMap<>();
    private long eventCount;

    /**
     * @param keep    newest events kept for a page that opens
     * @param perPush most events in one push; the rest are counted as skipped
     */
    LiveState(int keep, int perPush, int timesPerPartition) {
        this.keep = keep;
        this.perPush = perPush;
        this.timesPerPartition = timesPerPartition;
    }

    synchronized void add(EventDigest event, long nowMillis) {
        eventCount++;
        tables.computeIfAbsent(event.table(), t -> new TableStats()).add(event.op(), event.timestamp(), nowMillis);
        times(new TopicPartition(event.topic(), event.partition())).add(event.offset(), event.timestamp());
        recent.addLast(event);
        if (recent.size() > keep) {
            recent.removeFirst();
        }
        pending.addLast(event);
        if (pending.size() > perPush) {
            pending.removeFirst();
            skipped++;
        }
    }

    synchronized void readUpTo(TopicPartition partition, long position) {
        times(partition).readUpTo(position);
    }

    private PartitionTimes times(TopicPartition partition) {
        return times.computeIfAbsent(partition, p -> new PartitionTimes(timesPerPartition));
    }

    synchronized void addDeadLetter(DeadLetter letter) {
        deadLetterCount++;
        deadLettersByTopic.merge(letter.sourceTopic() == null ? "?" : letter.sourceTopic(), 1L, Long::sum);
        deadLetters.addLast(letter);
        if (deadLetters.size() > 50) {
            deadLetters.removeFirst();
        }
    }

    /** The events since the last call (at most {@code perPush}, newest last) and how many were left out. */
    synchronized Batch drain() {
        Batch batch = new Batch(new ArrayList<>(pending), skipped);
        pending.clear();
        skipped = 0;
        return batch;
    }

    synchronized List<EventDigest> recent() {
        return new ArrayList<>(recent);
    }

    synchronized long eventCount() {
        return eventCount;
    }

    synchronized Map<String, Object> tables(long nowMillis) {
        Map<String, Object> view = new LinkedHashMap<>();
        tables.forEach((name, stats) -> view.put(name, stats.view(nowMillis)));
        return view;
    }

    synchronized Map<String, Object> deadLetters() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("count", deadLetterCount);
        view.put("byTopic", new TreeMap<>(deadLettersByTopic));
        List<DeadLetter> newestFirst = new ArrayList<>(deadLetters);
        Collections.reverse(newestFirst);
        view.put("latest", newestFirst);
        return view;
    }

    synchronized PartitionTimes.Lag lag(TopicPartition partition, long committed, long end, long nowMillis) {
        PartitionTimes t = times.get(partition);
        if (t == null) {
            return end - committed <= 0 ? new PartitionTimes.Lag(0, 0, true)
                    : new PartitionTimes.Lag(end - committed, 0, false);
        }
        return t.lag(committed, end, nowMillis);
    }
}
