package io.cdccamel.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The charts' last hour, in memory: one sample every {@code everyMillis}, each a value per series
 * name, a missing value being a gap (a read that failed, or a series that did not exist yet). Bounded
 * twice: at most {@code windowMillis / everyMillis} samples (720 for an hour at 5 s), the oldest
 * dropped first, and none older than the window (a late or fast timer cannot stretch it). A sample
 * holds the series it is given, and the sampler caps their number, so the memory is bounded too.
 * Thread-safe: one writer (the sampling timer), readers on the push timer and the HTTP event loop.
 */
final class SeriesRing {

    /** One sampling: when, and a value per series (absent or null: a gap). */
    record Sample(long time, Map<String, Double> values) {
    }

    private final long windowMillis;
    private final int capacity;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    SeriesRing(long windowMillis, long everyMillis) {
        if (everyMillis <= 0 || windowMillis < everyMillis) {
            throw new IllegalArgumentException("A window of " + windowMillis + " ms cannot hold samples every " + everyMillis + " ms");
        }
        this.windowMillis = windowMillis;
        this.capacity = (int) Math.min(Integer.MAX_VALUE, windowMillis / everyMillis);
    }

    /** Adds a sample; drops the oldest beyond the capacity and those older than the window. */
    synchronized void add(long time, Map<String, Double> values) {
        samples.addLast(new Sample(time, Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
        while (!samples.isEmpty() && samples.peekFirst().time() <= time - windowMillis) {
            samples.removeFirst();
        }
    }

    synchronized int size() {
        return samples.size();
    }

    int capacity() {
        return capacity;
    }

    long windowMillis() {
        return windowMillis;
    }

    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** The samples taken after {@code time}, oldest first. */
    synchronized List<Sample> after(long time) {
        List<Sample> newer = new ArrayList<>();
        for (var it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (s.time() <= time) {
                break;
            }
            newer.add(s);
        }
        Collections.reverse(newer);
        return newer;
    }

    /** The time of the newest sample, or 0 when there is none. */
    synchronized long newest() {
        return samples.isEmpty() ? 0 : samples.peekLast().time();
    }

    /**
     * Samples as columns, as a chart takes them: {@code times} (ms) and per series one value per
     * time, {@code null} where it has none (a gap, drawn as one).
     */
    static Map<String, Object> columns(List<Sample> samples) {
        TreeSet<String> names = new TreeSet<>();
        samples.forEach(s -> names.addAll(s.values().keySet()));
        List<Long> times = new ArrayList<>(samples.size());
        Map<String, List<Double>> series = new LinkedHashMap<>();
        names.forEach(n -> series.put(n, new ArrayList<>(samples.size())));
        for (Sample s : samples) {
            times.add(s.time());
            for (String n : names) {
                Double v = s.values().get(n);
                series.get(n).add(v == null || v.isNaN() || v.isInfinite() ? null : v);
            }
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("times", times);
        view.put("series", series);
        return view;
    }
}
