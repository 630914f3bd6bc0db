package io.cdccamel.events;

import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.SyncFailedException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The output's positions, in a file of their own beside it ({@value #FILE_NAME}): which Kafka record
 * of each topic-partition was written last, how long each output file was after it, and which Kafka
 * cluster and topic those offsets belong to. The printed text is what people read; this is what the
 * app trusts, so that no text a row holds can move a position.
 * <p>
 * Format: the line {@value #MAGIC_TEXT} (version), then framed records, appended only:
 * {@code int length, int CRC32C of the payload, payload}; the payload is a type byte and its fields
 * ({@link DataOutputStream}: UTF strings, ints, longs). Each record is appended and synced before
 * the offsets it names are committed to Kafka. A crash can only tear the last record: reading stops
 * at a frame that is cut short or fails its checksum <em>at the end of the file</em> (that tail is cut
 * off); a bad frame with whole records after it is damage, and the start stops rather than guess.
 * When the file passes {@link #COMPACT_BYTES}, the state is written as one record to a new file,
 * synced and renamed over the old one (atomic), so the journal stays small however long the app runs.
 */
public final class PositionsJournal implements AutoCloseable {

    public static final String FILE_NAME = ".positions";
    static final String MAGIC_TEXT = "cdc-camel positions v1\n";
    private static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** A state record is one per batch plus a few bytes per topic-partition: a few MB is days of batches. */
    static final long COMPACT_BYTES = 4L * 1024 * 1024;
    /** No record comes near this: a bigger length is a damaged frame. */
    private static final int MAX_RECORD = 64 * 1024 * 1024;

    private static final byte CLUSTER = 1;
    private static final byte TOPIC = 2;
    private static final byte BATCH = 3;
    private static final byte ROTATE = 4;

    /** A topic-partition's newest record written. */
    public record Position(String topic, int partition, long offset) {
    }

    /** A topic-partition. */
    record Partition(String topic, int partition) {
    }

    /** What the journal says: replayed at start, kept up to date by each record appended. */
    static final class State {
        String clusterId;
        final Map<String, String> topicIds = new ConcurrentHashMap<>();
        final Map<Partition, Long> offsets = new ConcurrentHashMap<>();
        final Map<String, Long> lengths = new ConcurrentHashMap<>();
        /** Files whose rotation was journaled, with the name they are renamed to, until their next batch. */
        final Map<String, String> rotations = new LinkedHashMap<>();

        void forgetTopic(String topic) {
            offsets.keySet().removeIf(p -> p.topic().equals(topic));
        }
    }

    private final Path file;
    private final boolean sync;
    private final State state = new State();
    private FileChannel channel;
    private long size;

    private PositionsJournal(Path file, boolean sync) {
        this.file = file;
        this.sync = sync;
    }

    /** Whether {@code dir} has a journal. */
    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE_NAME));
    }

    /**
     * Opens the journal of {@code dir}, creating it when there is none, and replays it; a torn last
     * record is cut off. Throws when the journal is damaged before its end.
     */
    static PositionsJournal open(Path dir, boolean sync) throws IOException {
        Files.createDirectories(dir);
        PositionsJournal journal = new PositionsJournal(dir.resolve(FILE_NAME), sync);
        Files.deleteIfExists(dir.resolve(FILE_NAME + ".tmp")); // a compaction a crash interrupted: the old file is whole
        if (Files.exists(journal.file)) {
            journal.replay();
        } else {
            journal.rewrite();
        }
        return journal;
    }

    State state() {
        return state;
    }

    private void replay() throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " is not a cdc-camel positions journal (" + MAGIC_TEXT.trim()
                    + "); move it away only if the output folder is to be taken over as new");
        }
        ByteBuffer in = ByteBuffer.wrap(all);
        in.position(MAGIC.length);
        CRC32C crc = new CRC32C();
        while (in.remaining() > 0) {
            int start = in.position();
            String bad = null;
            if (in.remaining() < 8) {
                bad = "cut short";
            } else {
                int length = in.getInt();
                int expected = in.getInt();
                if (length < 1 || length > MAX_RECORD) {
                    bad = "impossible length " + length;
                } else if (length > in.remaining()) {
                    bad = "cut short";
                } else {
                    crc.reset();
                    crc.update(all, in.position(), length);
                    if ((int) crc.getValue() != expected) {
                        bad = "checksum mismatch";
                    } else {
                        apply(all, in.position(), length);
                        in.position(in.position() + length);
                    }
                }
            }
            if (bad != null) {
                if (!tornTail(all, start)) {
                    throw new IOException(file + " is damaged at byte " + start + " (" + bad + ") with records after it: "
                            + "the output's positions cannot be trusted. Restore the file, or move the output folder "
                            + "aside and start with a new one");
                }
                LoggerFactory.getLogger("io.cdccamel.output-positions").warn(
                        "{} ended with a record a crash left half-written ({} bytes, {}): cut off", file, all.length - start, bad);
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    c.truncate(start);
                    c.force(false);
                }
                break;
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    /**
     * A record cut short by a crash is the file's last: its declared length reaches the end, or the
     * rest is zeros (a file system that grew the file before the data reached it).
     */
    private static boolean tornTail(byte[] all, int start) {
        if (all.length - start >= 8) {
            int length = ByteBuffer.wrap(all, start, 8).getInt();
            if (length >= 1 && length <= MAX_RECORD && (long) start + 8 + length >= all.length) {
                return true;
            }
        } else {
            return true;
        }
        for (int i = start; i < all.length; i++) {
            if (all[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private void apply(byte[] all, int offset, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, offset, length));
        byte type = in.readByte();
        switch (type) {
            case CLUSTER -> {
                String id = in.readUTF();
                if (state.clusterId != null && !state.clusterId.equals(id)) {
                    state.offsets.clear();
                    state.topicIds.clear();
                }
                state.clusterId = id;
            }
            case TOPIC -> {
                String topic = in.readUTF();
                String id = in.readUTF();
                String old = state.topicIds.put(topic, id);
                if (old != null && !old.equals(id)) {
                    state.forgetTopic(topic);
                }
            }
            case BATCH -> {
                int files = in.readInt();
                for (int i = 0; i < files; i++) {
                    String name = in.readUTF();
                    state.lengths.put(name, in.readLong());
                    state.rotations.remove(name);
                }
                int positions = in.readInt();
                for (int i = 0; i < positions; i++) {
                    String topic = in.readUTF();
                    int partition = in.readInt();
                    state.offsets.put(new Partition(topic, partition), in.readLong());
                }
            }
            case ROTATE -> {
                String name = in.readUTF();
                String to = in.readUTF();
                state.lengths.put(name, 0L);
                state.rotations.put(name, to);
            }
            default -> throw new IOException(file + " holds a record of unknown type " + type
                    + ": written by a newer cdc-camel? Its positions are not read by this one");
        }
    }

    // ---- appending -----------------------------------------------------------------------------

    /** The Kafka cluster the offsets belong to; a different one than before forgets every offset. */
    void cluster(String clusterId) throws IOException {
        append(payload(out -> {
            out.writeByte(CLUSTER);
            out.writeUTF(clusterId);
        }));
    }

    /** A topic's id; a different one than before (the topic was re-created) forgets its offsets. */
    void topic(String topic, String topicId) throws IOException {
        append(payload(out -> {
            out.writeByte(TOPIC);
            out.writeUTF(topic);
            out.writeUTF(topicId);
        }));
    }

    /** A batch is in its files, synced: each file's length after it, each partition's newest record. */
    void batch(Map<String, Long> lengths, Iterable<Position> positions) throws IOException {
        append(payload(out -> writeBatch(out, lengths, positions)));
    }

    /** {@code name} is about to be renamed to {@code to}; once it is, the new {@code name} starts empty. */
    void rotate(String name, String to) throws IOException {
        append(payload(out -> {
            out.writeByte(ROTATE);
            out.writeUTF(name);
            out.writeUTF(to);
        }));
    }

    private static void writeBatch(DataOutputStream out, Map<String, Long> lengths, Iterable<Position> positions) throws IOException {
        out.writeByte(BATCH);
        out.writeInt(lengths.size());
        for (Map.Entry<String, Long> e : lengths.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
        int n = 0;
        for (Position ignored : positions) {
            n++;
        }
        out.writeInt(n);
        for (Position p : positions) {
            out.writeUTF(p.topic());
            out.writeInt(p.partition());
            out.writeLong(p.offset());
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] payload(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static ByteBuffer frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
        frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        return frame;
    }

    /**
     * Appends a record, syncs it, and only then applies it: a record that could not be written
     * whole is cut off again and changes nothing.
     */
    private void append(byte[] payload) throws IOException {
        if (size > COMPACT_BYTES) {
            rewrite();
        }
        ByteBuffer frame = frame(payload);
        try {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        } catch (IOException e) {
            try {
                channel.truncate(size);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // the next start cuts the torn record off
            }
            throw e;
        }
        if (sync) {
            try {
                channel.force(false);
            } catch (IOException e) {
                // not retried: after a failed fsync the kernel may have dropped the pages
                SyncFailedException failed = new SyncFailedException("Could not sync " + file + ": " + e.getMessage());
                failed.initCause(e);
                throw failed;
            }
        }
        size += frame.limit();
        apply(payload, 0, payload.length);
    }

    /** The state as one file (the first one, or a compaction): written beside, synced, renamed over. */
    private void rewrite() throws IOException {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(MAGIC);
        if (state.clusterId != null) {
            bytes.write(frame(payload(out -> {
                out.writeByte(CLUSTER);
                out.writeUTF(state.clusterId);
            })).array());
        }
        for (Map.Entry<String, String> t : state.topicIds.entrySet()) {
            bytes.write(frame(payload(out -> {
                out.writeByte(TOPIC);
                out.writeUTF(t.getKey());
                out.writeUTF(t.getValue());
            })).array());
        }
        bytes.write(frame(payload(out -> writeBatch(out, state.lengths, state.offsets.entrySet().stream()
                .map(e -> new Position(e.getKey().topic(), e.getKey().partition(), e.getValue())).toList()))).array());
        for (Map.Entry<String, String> r : state.rotations.entrySet()) {
            bytes.write(frame(payload(out -> {
                out.writeByte(ROTATE);
                out.writeUTF(r.getKey());
                out.writeUTF(r.getValue());
            })).array());
        }
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (sync) {
                out.force(false);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (sync) {
            syncFolder(file.toAbsolutePath().getParent());
        }
        if (channel != null) {
            channel.close();
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    /** A file's creation, removal or rename is durable once its folder is synced. */
    static void syncFolder(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Bytes in the journal file now. */
    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "PositionsJournal[" + file + ", cluster " + Objects.requireNonNullElse(state.clusterId, "?")
                + ", " + state.offsets.size() + " partition(s), " + state.lengths.size() + " file(s)]";
    }
}
