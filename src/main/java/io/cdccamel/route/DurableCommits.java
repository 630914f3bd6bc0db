package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Offsets are committed only for text that is on disk. Camel's file producer appends a String
 * body with {@code Files.writeString} and never syncs (its {@code forceWrites} option is not read
 * by the producer in Camel 4.22), so a power loss could lose text whose offset was committed.
 * Once a batch's outputs are appended, the route calls {@link #commit}: each file written is synced
 * once ({@code fdatasync}, and the folder for a new file), then the newest offset of each
 * partition of the batch is committed: one sync per batch (up to {@code cdc.consumer.batch.size}
 * records), not one per record.
 * <p>
 * A sync that fails is not tried again (after a failed {@code fsync} the kernel may have dropped
 * the dirty pages, so a second one proves nothing): nothing is committed from then on, the route
 * is stopped, and the error says so. Restarted, the app reads its files back and the records after
 * the last commit are read again from Kafka: those in the files are skipped, the others written.
 */
public class DurableCommits {

    private static final Logger LOG = LoggerFactory.getLogger(DurableCommits.class);

    private final Set<Path> known = ConcurrentHashMap.newKeySet();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final boolean sync;
    private volatile String failure;

    /** @param sync false only for benchmarks that measure what syncing costs */
    public DurableCommits(boolean sync) {
        this.sync = sync;
        if (!sync) {
            LOG.warn("Output files are NOT synced before offsets are committed (cdc.output.sync=false): "
                    + "a power loss can lose printed records");
        }
    }

    /** A batch is written: syncs its files, then commits the newest offset of each of its partitions. */
    public void commit(Exchange exchange, @Variable(WriteChangeEvents.PRINTED) PrintedBatch batch) {
        // Kafka's consumer is not for concurrent use, but this call may come from another thread than
        // the consumer's (a step of the route went asynchronous): the consumer's thread waits for the
        // exchange to complete, so the two never use the consumer at the same time.
        if (failure != null) {
            return; // a sync failed: nothing more is committed until the app is restarted
        }
        Set<Path> files = new LinkedHashSet<>();
        for (PrintedBatch.Output output : batch.getOutputs()) {
            if (output.produced() != null) {
                files.add(Path.of(output.produced()));
            }
        }
        try {
            if (sync && !files.isEmpty()) {
                for (Path file : files) {
                    force(file);
                }
                syncs.incrementAndGet();
            }
        } catch (UncheckedIOException e) {
            failure = e.getMessage();
            LOG.error("{}: nothing more is committed and route {} stops. Fix the disk and restart the app: it reads "
                    + "the output back, and the records after the last commit are read again from Kafka",
                    e.getMessage(), exchange.getFromRouteId(), e.getCause());
            stopRoute(exchange);
            throw e;
        }
        for (KafkaManualCommit commit : batch.commits()) {
            commit.commit();
            commits.incrementAndGet();
        }
        records.addAndGet(batch.getRecords());
    }

    private static void stopRoute(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        if (routeId == null) {
            return;
        }
        // not from the route's own thread, which is still inside the exchange
        Thread stopper = new Thread(() -> {
            try {
                exchange.getContext().getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.error("Could not stop route {}: {}", routeId, e.toString());
            }
        }, "cdc-stop-after-sync-failure");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** Why the output stopped being committed, or null while syncs succeed. */
    public String failure() {
        return failure;
    }

    private void force(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(false);
        } catch (IOException e) {
            // the exchange is complete already: nothing is committed, the records will be read again
            throw new UncheckedIOException("Could not sync " + file + "; its records' offsets are not committed", e);
        }
        if (known.add(file)) {
            // a new file's name is only durable once its folder is synced
            Path dir = file.toAbsolutePath().getParent();
            try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                LOG.debug("Could not sync folder {}: {}", dir, e.getMessage());
            }
        }
    }

    /** Syncs done since start (each covers every file written since the one before). */
    public long syncCount() {
        return syncs.get();
    }

    /** Records done with (printed, dead-lettered or skipped) whose offsets were committed since start. */
    public long recordCount() {
        return records.get();
    }

    /** Offset commits requested since start. */
    public long commitCount() {
        return commits.get();
    }
}
