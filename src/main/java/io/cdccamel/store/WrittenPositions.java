package io.cdccamel.store;

import io.cdccamel.events.OutputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the output stands, from its {@link PositionsJournal} alone: the newest Kafka record written
 * per topic-partition, and each file's length after the last batch journaled. At start each file is
 * cut back to that length (whatever a crash or a failed append left after it, of any size, goes:
 * its offsets were never committed, so Kafka delivers those records again), and a record at or below
 * its partition's journaled offset is skipped. The printed text is never read for this.
 */
public class WrittenPositions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.output-positions");

    private final Path dir;
    private final boolean sync;
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean skipping;
    private final CompletableFuture<PositionsJournal> opened = new CompletableFuture<>();

    private WrittenPositions(Path dir, boolean sync) {
        this.dir = dir;
        this.sync = sync;
    }

    /** Opens the output folder's journal (taking over an earlier version's output first), and cuts the files back to it. */
    public static WrittenPositions open(Path outputDir, boolean sync) throws IOException {
        WrittenPositions positions = new WrittenPositions(outputDir, sync);
        positions.load();
        return positions;
    }

    /**
     * {@link #open} in a thread of its own: taking over an earlier version's output reads it all
     * once, which overlaps the rest of the start; {@link #awaitOpen} waits for it.
     */
    public static WrittenPositions openInBackground(Path outputDir, boolean sync) {
        WrittenPositions positions = new WrittenPositions(outputDir, sync);
        Thread reader = new Thread(() -> {
            try {
                positions.load();
            } catch (IOException | RuntimeException e) {
                positions.opened.completeExceptionally(e);
            }
        }, "cdc-output-positions");
        reader.setDaemon(true);
        reader.start();
        return positions;
    }

    /** Returns once the journal is open and the files cut back to it; throws what stopped it. */
    public void awaitOpen() throws IOException {
        journal0();
    }

    private PositionsJournal journal0() throws IOException {
        try {
            return opened.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** The journal, once open (callers hold this object's lock to change it). */
    PositionsJournal journal() {
        try {
            return journal0();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    private void load() throws IOException {
        boolean takeOver = !PositionsJournal.exists(dir) && !OutputFormat.files(dir).isEmpty();
        PositionsJournal journal = PositionsJournal.open(dir, sync);
        synchronized (this) {
            if (takeOver) {
                EarlierOutput.Found found = EarlierOutput.read(dir);
                journal.batch(found.lengths(), found.offsets().entrySet().stream()
                        .map(e -> new PositionsJournal.Position(e.getKey().topic(), e.getKey().partition(), e.getValue())).toList());
                LOG.info("Output in {} was written by an earlier cdc-camel: read back once ({} file(s), {} topic-partition(s)) "
                        + "and journaled in {}; from now on the journal alone says what is written", dir,
                        found.lengths().size(), found.offsets().size(), PositionsJournal.FILE_NAME);
            } else {
                recover(journal);
            }
            opened.complete(journal);
        }
        PositionsJournal.State state = journal.state();
        if (!state.offsets.isEmpty()) {
            Map<String, Long> view = new TreeMap<>();
            state.offsets.forEach((p, o) -> view.put(p.topic() + "-" + p.partition(), o));
            LOG.info("Output in {} already holds {} topic-partition(s) up to {}", dir, view.size(), view);
        }
    }

    /** Files back to the journal's lengths; a rotation the journal announced but a crash interrupted, done. */
    private void recover(PositionsJournal journal) throws IOException {
        PositionsJournal.State state = journal.state();
        Map<String, Long> adopted = new LinkedHashMap<>();
        for (Map.Entry<String, String> rotation : List.copyOf(state.rotations.entrySet())) {
            Path from = dir.resolve(rotation.getKey());
            Path to = dir.resolve(rotation.getValue());
            if (Files.exists(from) && !Files.exists(to)) {
                Files.move(from, to);
                PositionsJournal.syncFolder(dir);
                LOG.info("{} rotated to {} (a rotation a stop interrupted)", from, to.getFileName());
            }
            adopted.put(rotation.getKey(), 0L); // done: journaled below, so it is never done twice
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(state.lengths).entrySet()) {
            Path file = dir.resolve(e.getKey());
            long journaled = e.getValue();
            long size = Files.isRegularFile(file) ? Files.size(file) : 0;
            if (size > journaled) {
                LOG.warn("{} holds {} bytes after its last journaled batch (an append a crash or a failure interrupted; "
                        + "their offsets were not committed): cut off, those records will be written again", file, size - journaled);
                truncate(file, journaled);
            } else if (size < journaled) {
                LOG.warn("{} is shorter than its journal says ({} < {} bytes): rotated or truncated outside the app; "
                        + "new entries are appended to it as it is now", file, size, journaled);
                adopted.put(e.getKey(), size);
            }
        }
        if (!adopted.isEmpty()) {
            journal.batch(adopted, List.of());
        }
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(false);
        }
    }

    /**
     * The Kafka cluster the consumer reads: offsets journaled against another cluster (a new one after
     * {@code docker compose down}, a reset) name other records, so they are forgotten, never used to skip.
     */
    public synchronized void kafkaCluster(String clusterId) throws IOException {
        PositionsJournal journal = journal();
        String journaled = journal.state().clusterId;
        if (clusterId.equals(journaled)) {
            return;
        }
        if (journaled != null) {
            LOG.warn("The output's positions in {} belong to Kafka cluster {}, and this is cluster {} (a new cluster): "
                    + "they are forgotten, and every record of this cluster is written", journal.file(), journaled, clusterId);
        }
        journal.cluster(clusterId);
    }

    /** A topic's id: a topic deleted and created again starts at offset 0 with a new id, and its old offsets are forgotten. */
    public synchronized void kafkaTopic(String topic, String topicId) throws IOException {
        PositionsJournal journal = journal();
        String journaled = journal.state().topicIds.get(topic);
        if (topicId.equals(journaled)) {
            return;
        }
        if (journaled != null) {
            LOG.warn("Topic {} has id {} now, not {} as when its positions were journaled (it was deleted and created "
                    + "again): its positions are forgotten, and every record of it is written", topic, topicId, journaled);
        }
        journal.topic(topic, topicId);
    }

    /** Whether this record is not in the output yet. */
    public boolean isNew(String topic, int partition, long offset) {
        Long written = journal().state().offsets.get(new PositionsJournal.Partition(topic, partition));
        boolean isNew = written == null || offset > written;
        if (!isNew) {
            skipped.incrementAndGet();
            if (!skipping) {
                skipping = true;
                LOG.info("Skipping records already in the output (redelivered), from {}-{} offset {}", topic, partition, offset);
            }
        } else {
            skipping = false;
        }
        return isNew;
    }

    /**
     * The reason of a dead letter journaled with its batch and not sent yet, or null. Asked only of
     * records already written (a redelivery), never on the path of a new record.
     */
    public String owedDeadLetter(String topic, int partition, long offset) {
        Map<PositionsJournal.Position, String> owed = journal().state().owedDeadLetters;
        return owed.isEmpty() ? null : owed.get(new PositionsJournal.Position(topic, partition, offset));
    }

    /** Records skipped since start because they were already written. */
    public long skippedCount() {
        return skipped.get();
    }

    /** The newest offset journaled for this topic-partition, or null. */
    public Long highest(String topic, int partition) {
        return journal().state().offsets.get(new PositionsJournal.Partition(topic, partition));
    }

    /** The length the journal gives this file, or null when it has none. */
    public Long length(String fileName) {
        return journal().state().lengths.get(fileName);
    }

    @Override
    public synchronized void close() throws IOException {
        if (opened.isDone() && !opened.isCompletedExceptionally()) {
            journal0().close();
        }
    }
}
