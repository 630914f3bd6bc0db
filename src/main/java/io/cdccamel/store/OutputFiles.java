package io.cdccamel.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Appends a batch's text to the output files as one unit: each file's length before the batch is
 * known, an append that fails half-way (disk full, a file size limit) is rolled back to it, so a
 * retried batch never leaves an entry twice or a header glued mid-line; once every file is appended
 * and synced, one journal record gives their lengths and the newest record of each partition
 * ({@link PositionsJournal}), and only then may the batch's offsets be committed.
 * <p>
 * Camel's file producer is not used for this: it appends with {@code Files.writeString} (8 KB at a
 * time, nothing rolled back when one fails), never syncs, and cannot say where the file stood before.
 * <p>
 * Batches of several consumer threads append in turn, in one order, and are synced and journaled
 * in that order: a thread whose batch is appended syncs the files and journals every batch appended
 * so far in one record (a group commit), so a file's journaled length always ends with whole,
 * journaled batches, and the threads share syncs instead of waiting for one sync each. With {@code cdc.output.max-bytes}
 * set, a file that a batch would take past it is renamed to {@code <name>.<n>} first (the rename is
 * journaled before it is done, and completed at the next start if a crash comes between).
 */
public class OutputFiles {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.output-positions");

    /** One append: consecutive entries for one file, and the newest record of each partition among them. */
    public interface Text {
        String fileName();

        String text();

        Iterable<PositionsJournal.Position> newest();
    }

    private final WrittenPositions positions;
    private final boolean sync;
    private final long maxBytes;
    /** Batches append in turn under this lock; the journal's lock ({@code positions}) is taken after it, never before. */
    private final Object appendLock = new Object();
    /** Each file's length after the batches appended so far (under {@code appendLock}). */
    private final Map<String, Long> appended = new HashMap<>();
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private long appendedSeq;
    private volatile long durableSeq;
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private volatile String failure;

    /**
     * @param sync     false only for benchmarks that measure what syncing costs
     * @param maxBytes a file is rotated before a batch would take it past this many bytes; 0: never
     */
    public OutputFiles(WrittenPositions positions, boolean sync, long maxBytes) {
        this.positions = positions;
        this.sync = sync;
        this.maxBytes = maxBytes;
        if (!sync) {
            LOG.warn("Output files are NOT synced before offsets are committed (cdc.output.sync=false): "
                    + "a power loss can lose printed records");
        }
    }

    /**
     * Appends, syncs and journals a batch. An {@link IOException} means nothing of the batch is in
     * the files (rolled back) and it may be written again; a {@link SyncFailedException} means a sync
     * or the journal failed, which is not retried (the kernel may have dropped the pages): nothing
     * more is written.
     */
    public void write(List<? extends Text> outputs) throws IOException {
        write(outputs, Map.of());
    }

    /**
     * {@link #write(List)}, journaling with the batch its dead letters (position and reason), owed to
     * the dead-letter endpoint until {@link #deadLettersSent} records them sent.
     */
    public void write(List<? extends Text> outputs, Map<PositionsJournal.Position, String> deadLetters) throws IOException {
        if (outputs.isEmpty()) {
            if (!deadLetters.isEmpty()) {
                throw new IllegalArgumentException("Dead letters without their batch's text: " + deadLetters.keySet());
            }
            return;
        }
        Pending mine;
        synchronized (appendLock) {
            if (failure != null) {
                throw new SyncFailedException(failure);
            }
            PositionsJournal journal = positions.journal();
            Path dir = positions.dir();
            Files.createDirectories(dir);
            byte[][] bytes = new byte[outputs.size()][];
            Map<String, Long> batchBytes = new LinkedHashMap<>();
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = outputs.get(i).text().getBytes(StandardCharsets.UTF_8);
                batchBytes.merge(outputs.get(i).fileName(), (long) bytes[i].length, Long::sum);
            }
            Map<String, Long> before = new LinkedHashMap<>();
            Map<String, Long> after = new LinkedHashMap<>();
            Map<String, FileChannel> channels = new LinkedHashMap<>();
            boolean created = false;
            try {
                for (Map.Entry<String, Long> file : batchBytes.entrySet()) {
                    long start = prepare(journal, dir, file.getKey(), file.getValue());
                    before.put(file.getKey(), start);
                    after.put(file.getKey(), start);
                }
                for (String name : batchBytes.keySet()) {
                    // the channel written is the one synced: a rename between the two (logrotate) cannot swap the file
                    Path file = dir.resolve(name);
                    created |= !Files.exists(file);
                    channels.put(name, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND));
                }
                for (int i = 0; i < bytes.length; i++) {
                    String name = outputs.get(i).fileName();
                    append(channels.get(name), bytes[i]);
                    after.merge(name, (long) bytes[i].length, Long::sum);
                }
            } catch (SyncFailedException e) {
                failure = e.getMessage(); // a sync or journal record of prepare(): not retried
                close(channels.values());
                rollBack(dir, before);
                throw e;
            } catch (IOException e) {
                close(channels.values());
                rollBack(dir, before);
                throw new IOException(e.getMessage() + " (the batch is rolled back: nothing of it stays in the output, "
                        + "it is written again)", e);
            } catch (RuntimeException e) {
                close(channels.values());
                rollBack(dir, before);
                throw e;
            }
            appended.putAll(after);
            Map<PositionsJournal.Partition, PositionsJournal.Position> newest = new LinkedHashMap<>();
            for (Text output : outputs) {
                for (PositionsJournal.Position p : output.newest()) {
                    newest.merge(new PositionsJournal.Partition(p.topic(), p.partition()), p,
                            (a, b) -> a.offset() >= b.offset() ? a : b);
                }
            }
            mine = new Pending(++appendedSeq, after, newest, deadLetters, channels, created);
            pending.add(mine);
        }
        synchronized (positions) {
            if (durableSeq >= mine.seq()) {
                return; // a batch of another thread synced and journaled this one with its own
            }
            if (failure != null) {
                throw new SyncFailedException(failure);
            }
            flushPending(positions.journal(), positions.dir());
        }
    }

    /** A batch appended, not yet synced and journaled: the lengths after it, the newest record per partition. */
    private record Pending(long seq, Map<String, Long> after, Map<PositionsJournal.Partition, PositionsJournal.Position> newest,
            Map<PositionsJournal.Position, String> deadLetters, Map<String, FileChannel> channels, boolean created) {
    }

    /**
     * Journals that these dead letters, journaled with their batch, were sent: a start after this
     * sends them no more. A failure here is not retried in this run (as a failed journal record):
     * the next start sends them once more.
     */
    public void deadLettersSent(java.util.Collection<PositionsJournal.Position> sent) throws SyncFailedException {
        if (sent.isEmpty()) {
            return;
        }
        synchronized (positions) {
            try {
                positions.journal().deadLettersSent(sent);
            } catch (IOException e) {
                failure = "Could not journal the dead letters sent in " + positions.journal().file() + ": " + e.getMessage();
                SyncFailedException failed = new SyncFailedException(failure);
                failed.initCause(e);
                throw failed;
            }
        }
    }

    /**
     * Syncs the files of every batch appended so far and journals them in one record (group commit:
     * the consumer threads' batches share a sync, as each thread synced its own file before the
     * journal). The caller holds the journal's lock ({@code positions}). A failure here is not
     * retried: those batches' text is in the files but not journaled, and batches after them may
     * be too, so the app stops writing; the next start cuts the files back to the journal.
     */
    private void flushPending(PositionsJournal journal, Path dir) throws SyncFailedException {
        List<Pending> group = new ArrayList<>();
        for (Pending p = pending.poll(); p != null; p = pending.poll()) {
            group.add(p);
        }
        if (group.isEmpty()) {
            return;
        }
        Map<String, Long> lengths = new LinkedHashMap<>();
        Map<PositionsJournal.Partition, PositionsJournal.Position> newest = new LinkedHashMap<>();
        Map<PositionsJournal.Position, String> deadLetters = new LinkedHashMap<>();
        boolean created = false;
        for (Pending p : group) {
            lengths.putAll(p.after());
            p.newest().forEach((k, v) -> newest.merge(k, v, (a, b) -> a.offset() >= b.offset() ? a : b));
            deadLetters.putAll(p.deadLetters());
            created |= p.created();
        }
        try {
            if (sync) {
                for (Pending p : group) {
                    for (Map.Entry<String, FileChannel> c : p.channels().entrySet()) {
                        force(dir.resolve(c.getKey()), c.getValue());
                    }
                }
                if (created) {
                    syncFolder(dir); // a file created (new, or again under a name seen before): its name is durable now
                }
                syncs.incrementAndGet();
            }
        } finally {
            for (Pending p : group) {
                close(p.channels().values());
            }
        }
        try {
            journal.batch(lengths, newest.values(), deadLetters);
        } catch (SyncFailedException e) {
            failure = e.getMessage();
            throw e;
        } catch (IOException e) {
            failure = "Could not journal the batches written in " + journal.file() + ": " + e.getMessage();
            SyncFailedException failed = new SyncFailedException(failure);
            failed.initCause(e);
            throw failed;
        }
        durableSeq = group.get(group.size() - 1).seq();
    }

    /** Journals {@code record} after every batch appended before it (their records come first, in order). */
    private void journalInOrder(PositionsJournal journal, Path dir, JournalWrite record) throws IOException {
        synchronized (positions) {
            flushPending(journal, dir);
            record.write();
        }
    }

    private interface JournalWrite {
        void write() throws IOException;
    }

    /**
     * Where {@code name}'s append starts: its length after the batches appended so far (a file new
     * to the journal is journaled first, so a crash right after creating it cannot leave text nobody
     * cuts back), after a rotation when this batch would take it past {@code cdc.output.max-bytes}.
     * Called under {@code appendLock}.
     */
    private long prepare(PositionsJournal journal, Path dir, String name, long adding) throws IOException {
        Path file = dir.resolve(name);
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a file");
        }
        long size = Files.exists(file) ? Files.size(file) : 0;
        Long expected = appended.containsKey(name) ? appended.get(name) : journal.state().lengths.get(name);
        if (expected == null) {
            journalInOrder(journal, dir, () -> journal.batch(Map.of(name, size), List.of()));
            expected = size;
        } else if (size > expected) {
            // an append whose roll-back failed: cut it off before the batch is written again
            LOG.warn("{} holds {} bytes after its last batch: cut off", file, size - expected);
            WrittenPositions.truncate(file, expected);
        } else if (size < expected) {
            LOG.info("{} is shorter than its journal says ({} < {} bytes): rotated or truncated outside the app "
                    + "(logrotate); appending to it as it is now", file, size, expected);
            journalInOrder(journal, dir, () -> journal.batch(Map.of(name, size), List.of()));
            expected = size;
        }
        if (maxBytes > 0 && expected > 0 && expected + adding > maxBytes) {
            String to = rotatedName(dir, name);
            journalInOrder(journal, dir, () -> journal.rotate(name, to));
            Files.move(file, dir.resolve(to));
            if (sync) {
                syncFolder(dir);
            }
            rotations.incrementAndGet();
            LOG.info("{} reached {} bytes (cdc.output.max-bytes {}): renamed to {}, new entries go to a new {}",
                    file, expected, maxBytes, to, name);
            expected = 0L;
        }
        appended.put(name, expected);
        return expected;
    }

    /** {@code <name>.<n>}, n one more than any rotated file of that name so far. */
    static String rotatedName(Path dir, String name) throws IOException {
        long highest = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String f = p.getFileName().toString();
                if (f.startsWith(name + ".")) {
                    String n = f.substring(name.length() + 1);
                    if (!n.isEmpty() && n.length() < 18 && n.chars().allMatch(Character::isDigit)) {
                        highest = Math.max(highest, Long.parseLong(n));
                    }
                }
            }
        }
        return name + "." + (highest + 1);
    }

    private static void append(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void close(java.util.Collection<FileChannel> channels) {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Could not close {}: {}", channel, e.toString()); // written and synced (or rolled back) already
            }
        }
    }

    private static void rollBack(Path dir, Map<String, Long> before) {
        for (Map.Entry<String, Long> file : before.entrySet()) {
            Path path = dir.resolve(file.getKey());
            try {
                if (Files.isRegularFile(path) && Files.size(path) > file.getValue()) {
                    WrittenPositions.truncate(path, file.getValue());
                }
            } catch (IOException e) {
                // the next batch, or the next start, cuts it back to the journaled length
                LOG.error("Could not roll {} back to {} bytes: {}", path, file.getValue(), e.toString());
            }
        }
    }

    /**
     * Syncs a file as written: the very channel the batch was appended through, not the path opened
     * again (a logrotate {@code create} renaming the file away between the append and the sync would
     * have the sync reach the new, empty file, while the batch's text sat unsynced under the old
     * name). A failure fails the batch: nothing of it is committed, and nothing more is written.
     */
    protected void force(Path file, FileChannel channel) throws SyncFailedException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw syncFailed("Could not sync " + file + "; its records' offsets are not committed: " + e.getMessage(), e);
        }
    }

    /** Syncs the folder, which makes a file's creation or rename durable; a failure fails the batch as a file's would. */
    protected void syncFolder(Path dir) throws SyncFailedException {
        try {
            PositionsJournal.syncFolder(dir);
        } catch (IOException e) {
            throw syncFailed("Could not sync the folder " + dir + " (a file created or renamed in it may not survive a power "
                    + "loss); the batch's offsets are not committed: " + e.getMessage(), e);
        }
    }

    private SyncFailedException syncFailed(String message, IOException cause) {
        failure = message;
        SyncFailedException failed = new SyncFailedException(message);
        failed.initCause(cause);
        return failed;
    }

    /** Why the output stopped being written, or null while syncs succeed. */
    public String failure() {
        return failure;
    }

    /** Batches synced since start (each sync covers every file of its batch). */
    public long syncCount() {
        return syncs.get();
    }

    /** Files rotated by {@code cdc.output.max-bytes} since start. */
    public long rotationCount() {
        return rotations.get();
    }
}
