package io.cdccamel.live;

import io.cdccamel.capture.CaptureListener;
import io.cdccamel.capture.SlotWatch;
import io.cdccamel.connect.SnapshotProgress;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.route.DurableCommits;
import org.apache.camel.CamelContext;

/**
 * Where the charts' series come from, once every feature has bound its beans: the print route's
 * committed entries per topic ({@link DurableCommits}), Debezium's JMX metrics ({@link StreamingWatch}:
 * its streaming lag and the snapshot's rows, embedded mode only) and the replication slot
 * ({@link SlotWatch}, when the app captures its own database). Each one absent leaves a note on its
 * chart rather than a made-up value.
 */
final class ChartSources {

    private ChartSources() {
    }

    static void connect(ChartSeries charts, CamelContext context) {
        DurableCommits commits = context.getRegistry().findSingleByType(DurableCommits.class);
        if (commits != null) {
            charts.printedFrom(commits::printedByTopic);
        }
        StreamingWatch watch = context.getRegistry().lookupByNameAndType(StreamingWatch.BEAN, StreamingWatch.class);
        if (watch != null) {
            String unavailable = watch.behindSourceUnavailable();
            // before Debezium streams, its streaming MBean is not registered yet: a note, not a failure
            charts.behindFrom(() -> watch.progress().phase() == SnapshotProgress.Phase.STREAMING
                    ? watch.millisecondsBehindSource() : null, unavailable);
            charts.snapshotFrom(() -> watch.progress().done(), unavailable == null ? null
                    : "not available: Debezium's snapshot metrics are JMX attributes of Connect's JVM (external mode)");
        }
        SlotWatch slot = context.getRegistry().lookupByNameAndType(CaptureListener.SLOT_BEAN, SlotWatch.class);
        if (slot != null) {
            charts.walFrom(() -> slot.read().retainedBytes());
        }
    }
}
