package io.cdccamel.route;

import io.cdccamel.events.ResentEvents;
import io.cdccamel.events.WrittenPositions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The output's counters in {@code /observe/metrics}: records skipped because they were written
 * before, events dropped as Debezium re-sends, syncs and offset commits.
 */
public final class OutputMetrics {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OutputMetrics.class);

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
        WrittenPositions written = context.getRegistry().lookupByNameAndType("writtenPositions", WrittenPositions.class);
        ResentEvents resent = context.getRegistry().lookupByNameAndType("resentEvents", ResentEvents.class);
        DurableCommits commits = context.getRegistry().lookupByNameAndType(DurableCommits.BEAN, DurableCommits.class);
        if (written != null) {
            FunctionCounter.builder("cdc.redelivered.records.skipped", written, WrittenPositions::skippedCount)
                    .description("Records read again from Kafka that the output already held").register(registry);
        }
        if (resent != null) {
            FunctionCounter.builder("cdc.resent.events.dropped", resent, ResentEvents::droppedCount)
                    .description("Events Debezium sent again under new offsets, already written").register(registry);
        }
        if (commits != null) {
            FunctionCounter.builder("cdc.output.syncs", commits, DurableCommits::syncCount)
                    .description("Syncs of the output files (one per batch of records)").register(registry);
            FunctionCounter.builder("cdc.offset.commits", commits, DurableCommits::commitCount)
                    .description("Offset commits requested after a sync").register(registry);
            FunctionCounter.builder("cdc.records.committed", commits, DurableCommits::recordCount)
                    .description("Records done with (printed, dead-lettered, skipped, dropped), offsets committed")
                    .register(registry);
        }
    }
}
