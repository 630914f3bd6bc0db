package io.cdccamel.route;

import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.events.WrittenPositions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output's counters in {@code /observe/metrics}: records skipped because they were written
 * before, snapshot events written, syncs and offset commits.
 */
public final class OutputMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(OutputMetrics.class);

    private OutputMetrics() {
    }

    public static void register(CamelContext context) {
        // camel-micrometer-prometheus binds its registry under this name
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (registry == null) {
            registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        }
        if (registry == null) {
            LOG.warn("No Micrometer registry: the output's counters are not in /observe/metrics");
            return;
        }
        WrittenPositions written = context.getRegistry().findSingleByType(WrittenPositions.class);
        DurableCommits commits = context.getRegistry().findSingleByType(DurableCommits.class);
        StreamingWatch watch = context.getRegistry().findSingleByType(
                StreamingWatch.class);
        if (watch != null) {
            watch.progress().bindTo(registry);
            watch.bindTo(registry);
        }
        if (written != null) {
            FunctionCounter.builder("cdc.redelivered.records.skipped", written, WrittenPositions::skippedCount)
                    .description("Records read again from Kafka that the output already held").register(registry);
        }
        LostOffsets lost = context.getRegistry().lookupByNameAndType("lostOffsets", LostOffsets.class);
        if (lost != null) {
            FunctionCounter.builder("cdc.consumer.lost.records", lost, LostOffsets::lostRecords)
                    .description("Records Kafka deleted (retention, or by hand) before the print route read them").register(registry);
        }
        RevokeCommits revokeCommits = context.getRegistry().lookupByNameAndType(RevokeCommits.BEAN, RevokeCommits.class);
        if (revokeCommits != null) {
            FunctionCounter.builder("cdc.consumer.assignment.check.failures", revokeCommits, RevokeCommits::failedChecks)
                    .description("Attempts to check the Kafka cluster and topic ids of newly assigned partitions that failed "
                            + "(each is tried again; nothing of those partitions is read meanwhile)").register(registry);
        }
        if (commits != null) {
            FunctionCounter.builder("cdc.snapshot.events", commits, DurableCommits::snapshotEventCount)
                    .description("Snapshot events (op r) written; a snapshot that a crash interrupted is redone, "
                            + "and its rows are written again").register(registry);
            FunctionCounter.builder("cdc.output.syncs", commits, DurableCommits::syncCount)
                    .description("Syncs of the output files (one per batch of records)").register(registry);
            FunctionCounter.builder("cdc.offset.commits", commits, DurableCommits::commitCount)
                    .description("Offset commits requested after a sync").register(registry);
            FunctionCounter.builder("cdc.output.filtered", commits, DurableCommits::filteredCount)
                    .description("Change events the route's steps left out of the output (offsets committed, not lost)")
                    .register(registry);
            FunctionCounter.builder("cdc.records.committed", commits, DurableCommits::recordCount)
                    .description("Records done with (printed, dead-lettered, skipped), offsets committed")
                    .register(registry);
            MeterRegistry into = registry;
            commits.onNewTopic(topic -> FunctionCounter.builder("cdc.printed.events", commits, c -> c.printed(topic))
                    .description("Entries (events and tombstones) route print-change-events printed to the topic's "
                            + "file, counted once their batch is synced and committed").tag("topic", topic).register(into));
        }
    }
}
