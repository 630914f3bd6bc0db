package io.cdccamel.live;

import io.cdccamel.capture.CaptureViews;
import io.cdccamel.connect.SnapshotProgress;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.route.DurableCommits;

/**
 * Where the charts' series come from, once every feature has bound its beans: the print route's
 * committed entries per topic ({@link DurableCommits}), Debezium's JMX metrics ({@link StreamingWatch}:
 * its streaming lag and the snapshot's rows, embedded mode only) and the replication slot
 * (the capture's views, when the app captures its own database). Each one absent leaves a note on its
 * chart rather than a made-up value.
 */
final class ChartSources {

    private ChartSources() {
    }

    static void connect(ChartSeries charts, DurableCommits commits, StreamingWatch watch, CaptureViews capture) {
        charts.printedFrom(commits::printedByTopic);
        String unavailable = watch.behindSourceUnavailable();
        // before Debezium streams, its streaming MBean is not registered yet: a note, not a failure
        charts.behindFrom(() -> watch.progress().phase() == SnapshotProgress.Phase.STREAMING
                ? watch.millisecondsBehindSource() : null, unavailable);
        charts.snapshotFrom(() -> watch.progress().done(), unavailable == null ? null
                : "not available: Debezium's snapshot metrics are JMX attributes of Connect's JVM (external mode)");
        if (capture.retainedWal() != null) {
            charts.walFrom(() -> capture.retainedWal().getAsLong());
        }
    }
}
