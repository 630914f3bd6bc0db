package io.cdccamel.route;

import io.cdccamel.base.Published;
import io.cdccamel.store.OutputFiles;
import io.cdccamel.store.PositionsJournal;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.SyncFailedException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Offsets are committed only for text that is on disk and journaled. Once a batch is printed, the
 * route calls {@link #commit}: {@link OutputFiles} appends each file's text (rolled back if an append
 * fails, so the batch can be fetched and written again), syncs the files once ({@code fdatasync}),
 * journals their lengths and the newest record of each partition, and then the newest offset of each
 * partition of the batch is committed: one sync and one journal record per batch (up to
 * {@code cdc.consumer.batch.size} records), not one per record.
 * <p>
 * A sync that fails is not tried again (after a failed {@code fsync} the kernel may have dropped
 * the dirty pages, so a second one proves nothing): nothing is committed from then on, the route
 * is stopped, and the error says so. Restarted, the app cuts the files back to the journal and the
 * records after the last commit are read again from Kafka: those journaled are skipped, the others written.
 * <p>
 * The commits are Camel's synchronous ones (camel-kafka 4.18's batching never sends asynchronous
 * manual commits: seen, no offset of the print route's group reached Kafka in HostileRecordsIT);
 * the offsets they carry are also kept per partition
 * until the partition is revoked, when {@link RevokeCommits} commits them synchronously, so that
 * the instance taking the partition over starts right after the last record written here.
 */
@Published
public class DurableCommits {

    private static final Logger LOG = LoggerFactory.getLogger(DurableCommits.class);
    /** A dead letter's reason as journaled: the first line of an exception's message, cut to this. */
    private static final int MAX_REASON = 2000;

    private final OutputFiles files;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    /** Change events the route's steps left out: committed and journaled, not written. */
    private final AtomicLong filtered = new AtomicLong();
    /**
     * Snapshot events ({@code op: "r"}) written: the part of the output that exactly-once does not
     * cover, since Debezium redoes an initial snapshot that a crash interrupted and its rows print again.
     */
    private final AtomicLong snapshotEvents = new AtomicLong();
    /** The next offset to read, per partition this instance has written since it was assigned. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    /** Partitions handed over since they were assigned: a batch of theirs still in flight is not written. */
    private final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
    /**
     * A batch's write and a revocation never overlap. camel-kafka closes the consumer from the
     * stopping thread while the consumer's thread may still write its last batch: the revocation
     * then waits for that write and commits it too, or the write, coming after, is dropped (the
     * next owner reads it). Seen before: a third instance leaving printed 200 rows its successors
     * printed again. Batches of the consumer threads share the read side (their appends are synced
     * and journaled together); a revocation takes the write side.
     */
    private final ReadWriteLock handOver = new ReentrantReadWriteLock();
    private volatile String failure;
    /** Entries printed per topic since start (events and tombstones), counted once their batch is committed. */
    private final Map<String, AtomicLong> printedByTopic = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<String> newTopic = topic -> { };

    public DurableCommits(OutputFiles files) {
        this.files = files;
    }

    /**
     * A batch is printed: writes, syncs and journals its files, then commits the newest offset of each of its partitions.
     *
     * @param exchange the batch's exchange, whose route is stopped if a sync fails
     */
    public void commit(Exchange exchange, PrintedBatch batch) {
        commit(exchange, batch, deadLetters -> {
            throw new IllegalStateException("No dead-letter endpoint to send " + deadLetters.size() + " dead letter(s) to");
        });
    }

    /**
     * {@link #commit(Exchange, PrintedBatch)}, sending the batch's dead letters once it is journaled
     * (with them, as owed), and those an earlier attempt journaled but did not send; they are
     * journaled sent before the offsets are committed. A send that fails fails the batch: Kafka
     * delivers it again, its records are skipped as written, and its dead letters still owed are
     * sent then (and after a restart, likewise): each once, but for a crash between a send and its
     * journal record, which sends those again.
     */
    public void commit(Exchange exchange, PrintedBatch batch, java.util.function.Consumer<List<PrintedBatch.DeadLetter>> sender) {
        // Kafka's consumer is not for concurrent use, but this call may come from another thread than
        // the consumer's (a step of the route went asynchronous): the consumer's thread waits for the
        // exchange to complete, so the two never use the consumer at the same time.
        if (failure != null) {
            return; // a sync failed: nothing more is written or committed until the app is restarted
        }
        handOver.readLock().lock();
        try {
            Set<TopicPartition> gone = new HashSet<>(batch.doneOffsets().keySet());
            gone.retainAll(revoked);
            if (!gone.isEmpty()) {
                LOG.info("Not writing a batch of {}: handed over to another owner meanwhile, which reads it", gone);
                return;
            }
            List<PrintedBatch.DeadLetter> toSend = new ArrayList<>(batch.owedDeadLetters());
            toSend.addAll(batch.deadLetters());
            Map<PositionsJournal.Position, String> owed = new LinkedHashMap<>();
            for (PrintedBatch.DeadLetter d : batch.deadLetters()) {
                owed.put(position(d), d.reason().length() > MAX_REASON ? d.reason().substring(0, MAX_REASON) : d.reason());
            }
            try {
                files.write(batch.outputs(), owed);
                if (!toSend.isEmpty()) {
                    sender.accept(toSend); // throws when one is not sent: the batch fails, they stay owed
                    files.deadLettersSent(toSend.stream().map(DurableCommits::position).toList());
                }
            } catch (SyncFailedException e) {
                failure = e.getMessage();
                LOG.error("{}: nothing more is committed and route {} stops. Fix the disk and restart the app: it cuts "
                        + "the output back to its journal, and the records after the last commit are read again from Kafka",
                        e.getMessage(), exchange.getFromRouteId(), e.getCause());
                stopRoute(exchange);
                throw new UncheckedIOException(e.getMessage() + "; its records' offsets are not committed", e);
            } catch (IOException e) {
                // rolled back: the exchange fails and the consumer fetches the batch again (breakOnFirstError)
                throw new UncheckedIOException(e);
            }
            // written and journaled: a revocation from now on commits these offsets, whatever this commit does
            batch.doneOffsets().forEach((tp, offset) -> committed.merge(tp, offset + 1, Math::max));
            for (KafkaManualCommit commit : batch.commits()) {
                commit.commit();
                commits.incrementAndGet();
            }
        } finally {
            handOver.readLock().unlock();
        }
        records.addAndGet(batch.records());
        filtered.addAndGet(batch.filtered());
        snapshotEvents.addAndGet(batch.snapshotEvents());
        batch.printedByTopic().forEach((topic, n) -> printedByTopic.computeIfAbsent(topic, t -> {
            AtomicLong count = new AtomicLong();
            newTopic.accept(t);
            return count;
        }).addAndGet(n));
    }

    /** Entries printed since start (events and tombstones, not dead letters), per topic; a copy. */
    public Map<String, Long> printedByTopic() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        printedByTopic.forEach((topic, n) -> copy.put(topic, n.get()));
        return copy;
    }

    /** Entries printed to {@code topic}'s file since start. */
    public long printed(String topic) {
        AtomicLong n = printedByTopic.get(topic);
        return n == null ? 0 : n.get();
    }

    /** Told each topic the first time something of it is printed (the metrics register its counter). */
    void onNewTopic(java.util.function.Consumer<String> listener) {
        this.newTopic = listener;
        printedByTopic.keySet().forEach(listener);
    }

    /**
     * Partitions are being revoked (a clean rebalance; called by the consumer's own thread inside
     * its poll, so no batch of theirs is in flight): their offsets are committed synchronously
     * before another instance reads from them.
     */
    void commitRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        handOver.writeLock().lock();
        try {
            revoked.addAll(partitions);
            commitHandedOver(consumer, partitions);
        } finally {
            handOver.writeLock().unlock();
        }
    }

    private void commitHandedOver(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = committed.remove(tp);
            if (next != null) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty() || failure != null) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            LOG.info("Partitions revoked: committed {} before handing them over", offsets);
        } catch (RuntimeException e) {
            LOG.warn("Could not commit {} on revocation ({}): the next owner reads them from the last commit that "
                    + "reached Kafka, and may print again records this instance printed", offsets, e.toString());
        }
    }

    /** Partitions newly assigned or lost: nothing of them is this instance's to commit any more. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(committed::remove);
        revoked.removeAll(partitions);
    }

    private static PositionsJournal.Position position(PrintedBatch.DeadLetter d) {
        return new PositionsJournal.Position(d.topic(), d.partition(), d.offset());
    }

    private static void stopRoute(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        if (routeId == null) {
            return;
        }
        // not from the route's own thread, which is still inside the exchange: from one of Camel's, which ends after it
        CamelContext camel = exchange.getContext();
        ExecutorService stopper = camel.getExecutorServiceManager().newSingleThreadExecutor(DurableCommits.class,
                "stop-after-sync-failure");
        stopper.execute(() -> {
            try {
                camel.getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.error("Could not stop route {}: {}", routeId, e.toString());
            }
        });
        camel.getExecutorServiceManager().shutdown(stopper);
    }

    /** Why the output stopped being committed, or null while syncs succeed. */
    public String failure() {
        return failure;
    }

    /** Syncs done since start (each covers every file written by one batch). */
    public long syncCount() {
        return files.syncCount();
    }

    /** Records done with (printed, dead-lettered or skipped) whose offsets were committed since start. */
    public long recordCount() {
        return records.get();
    }

    /** Change events the route's steps left out since start (their offsets committed, their positions journaled). */
    public long filteredCount() {
        return filtered.get();
    }

    /** Snapshot events ({@code op: "r"}) written to the output since start. */
    public long snapshotEventCount() {
        return snapshotEvents.get();
    }

    /** Offset commits requested since start. */
    public long commitCount() {
        return commits.get();
    }
}
