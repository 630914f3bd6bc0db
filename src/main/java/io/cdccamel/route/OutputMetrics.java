package io.cdccamel.route;

import io.cdccamel.store.WrittenPositions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The output's counters in {@code /observe/metrics}: records skipped because they were written
 * before, snapshot events written, syncs and offset commits.
 */
public final class OutputMetrics {

    private OutputMetrics() {
    }

    /** The output's counters, as {@link RouteConfiguration#outputMeters} binds them. */
    static void bind(MeterRegistry registry, WrittenPositions written, DurableCommits commits, RevokeCommits revokeCommits,
                     StepFailures steps) {
        FunctionCounter.builder("cdc.route.step.failures", steps, StepFailures::failedAttempts)
                .description("Failed attempts of the print route's steps at a batch, or at a part of one").register(registry);
        FunctionCounter.builder("cdc.route.step.dead.letters", steps, StepFailures::deadLetters)
                .description("Records the print route's steps failed on alone, sent to the dead letters").register(registry);
        Gauge.builder("cdc.route.step.suspects", steps, s -> s.suspects())
                .description("Records among which the print route looks for one its steps fail on (0: none)").register(registry);
        FunctionCounter.builder("cdc.redelivered.records.skipped", written, WrittenPositions::skippedCount)
                .description("Records read again from Kafka that the output already held").register(registry);
        FunctionCounter.builder("cdc.consumer.assignment.check.failures", revokeCommits, RevokeCommits::failedChecks)
                .description("Attempts to check the Kafka cluster and topic ids of newly assigned partitions that failed "
                        + "(each is tried again; nothing of those partitions is read meanwhile)").register(registry);
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
        commits.onNewTopic(topic -> FunctionCounter.builder("cdc.printed.events", commits, c -> c.printed(topic))
                .description("Entries (events and tombstones) route print-change-events printed to the topic's "
                        + "file, counted once their batch is synced and committed").tag("topic", topic).register(registry));
    }
}
