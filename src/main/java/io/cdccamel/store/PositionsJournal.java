package io.cdccamel.store;

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
import java.util.Collection;
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
 * {@code int length, int CRC32C of the payload, int CRC32C of those 8 bytes (the header check), payload};
 * the payload is a type byte and its fields ({@link DataOutputStream}: UTF strings, ints, longs).
 * Each record is appended and synced before the offsets it names are committed to Kafka. A crash can
 * only tear the last record, so a bad frame is cut off as torn only when it runs past the end of the
 * file (its checked header declaring more bytes than there are, or the header itself cut short) or
 * the file ends in zeros, <em>and</em> no valid frame starts anywhere after it; any other bad frame
 * (a checksum mismatch inside the file, a header failing its check, a damaged length with records
 * after it) is damage, and the start stops rather than guess. Version 1 (frames without the header
 * check, whose damaged length looked like a torn tail) is read by the same rule and rewritten as
 * version 2 at the first start.
 * When the file passes {@link #COMPACT_BYTES}, the state is written as one record to a new file,
 * synced and renamed over the old one (atomic), so the journal stays small however long the app runs.
 */
public final class PositionsJournal implements AutoCloseable {

    public static final String FILE_NAME = ".positions";
    static final String MAGIC_TEXT = "cdc-camel positions v2\n";
    private static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** The first format (cdc-camel before issue 31): frames without a header check; read, and rewritten as v2. */
    static final String MAGIC_V1_TEXT = "cdc-camel positions v1\n";
    private static final byte[] MAGIC_V1 = MAGIC_V1_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** A state record is one per batch plus a few bytes per topic-partition: a few MB is days of batches. */
    static final long COMPACT_BYTES = 4L * 1024 * 1024;
    /** No record comes near this: a bigger length is a damaged frame. */
    private static final int MAX_RECORD = 64 * 1024 * 1024;

    private static final byte CLUSTER = 1;
    private static final byte TOPIC = 2;
    private static final byte BATCH = 3;
    private static final byte ROTATE = 4;
    private static final byte DEAD_LETTERS_SENT = 5;

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
        /** Dead letters journaled with their batch and not sent yet, with their reasons. */
        final Map<Position, String> owedDeadLetters = new ConcurrentHashMap<>();

        void forgetTopic(String topic) {
            offsets.keySet().removeIf(p -> p.topic().equals(topic));
            owedDeadLetters.keySet().removeIf(p -> p.topic().equals(topic)); // their records are gone with the topic
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
        int version;
        if (startsWith(all, MAGIC)) {
            version = 2;
        } else if (startsWith(all, MAGIC_V1)) {
            version = 1;
        } else {
            throw new IOException(file + " is not a cdc-camel positions journal (" + MAGIC_TEXT.trim()
                    + "); move it away only if the output folder is to be taken over as new");
        }
        Frames frames = new Frames(all, version);
        int at = MAGIC.length; // both versions' first lines are as long
        while (at < all.length) {
            int end = frames.end(at);
            if (end < 0) {
                String bad = frames.why(at);
                if (!frames.tornTail(at)) {
                    throw new IOException(file + " is damaged at byte " + at + " (" + bad + ", and it is not a tail a crash "
                            + "left half-written): the output's positions cannot be trusted, so the start stops rather than "
                            + "cut anything. Restore " + FILE_NAME + " from a backup, or move the output folder aside and "
                            + "start with a new one (its records are then written again from what Kafka still holds)");
                }
                LoggerFactory.getLogger("io.cdccamel.output-positions").warn(
                        "{} ended with a record a crash left half-written (from byte {}, {} bytes, {}): cut off",
                        file, at, all.length - at, bad);
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    c.truncate(at);
                    c.force(false);
                }
                break;
            }
            apply(all, frames.payloadStart(at), end - frames.payloadStart(at));
            at = end;
        }
        if (version == 1) {
            // the journal of an earlier cdc-camel: rewritten whole in this version's format (atomic, as a compaction)
            rewrite();
            LoggerFactory.getLogger("io.cdccamel.output-positions").info(
                    "{} was in the format of an earlier cdc-camel ({}): rewritten as {}", file, MAGIC_V1_TEXT.trim(), MAGIC_TEXT.trim());
            return;
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    private static boolean startsWith(byte[] all, byte[] magic) {
        return all.length >= magic.length && Arrays.equals(all, 0, magic.length, magic, 0, magic.length);
    }

    /**
     * The frames of one journal's bytes, version 2 ({@code int length, int CRC32C of the payload,
     * int CRC32C of those 8 bytes, payload}) or version 1 (no header check). Read only at start.
     */
    private static final class Frames {
        private final byte[] all;
        private final int header;
        private final boolean headerCheck;
        private final CRC32C crc = new CRC32C();

        Frames(byte[] all, int version) {
            this.all = all;
            this.headerCheck = version >= 2;
            this.header = headerCheck ? 12 : 8;
        }

        int payloadStart(int at) {
            return at + header;
        }

        private int length(int at) {
            return ByteBuffer.wrap(all, at, 4).getInt();
        }

        private boolean headerValid(int at) {
            if (!headerCheck) {
                return true;
            }
            crc.reset();
            crc.update(all, at, 8);
            return (int) crc.getValue() == ByteBuffer.wrap(all, at + 8, 4).getInt();
        }

        /** Where the whole, valid frame at {@code at} ends; -1 when there is none there. */
        int end(int at) {
            if (all.length - at < header || !headerValid(at)) {
                return -1;
            }
            int length = length(at);
            if (length < 1 || length > MAX_RECORD || length > all.length - at - header) {
                return -1;
            }
            crc.reset();
            crc.update(all, at + header, length);
            if ((int) crc.getValue() != ByteBuffer.wrap(all, at + 4, 4).getInt()) {
                return -1;
            }
            return at + header + length;
        }

        String why(int at) {
            if (all.length - at < header) {
                return "cut short in its header";
            }
            if (!headerValid(at)) {
                return "header checksum mismatch";
            }
            int length = length(at);
            if (length < 1 || length > MAX_RECORD) {
                return "impossible length " + length;
            }
            if (length > all.length - at - header) {
                return "cut short: " + length + " bytes declared, " + (all.length - at - header) + " in the file";
            }
            return "checksum mismatch";
        }

        /**
         * Whether the bad frame at {@code start} is what a crash leaves: a record whose append never
         * finished runs past the end of the file (its header whole and checked, declaring more bytes
         * than there are, or the header itself cut short), or the file ends in zeros (a file system that
         * grew the file before the data reached it); <em>and</em> no valid frame starts anywhere after
         * {@code start}, since a crash tears the last record only. A frame that ends inside the file and
         * fails its checksum, or a header that fails its check, is damage.
         */
        boolean tornTail(int start) {
            boolean runsPast;
            if (all.length - start < header) {
                runsPast = true;
            } else if (headerValid(start)) {
                int length = length(start);
                runsPast = length >= 1 && length <= MAX_RECORD && (long) start + header + length > all.length;
            } else {
                runsPast = false;
            }
            if (!runsPast) {
                for (int i = start; i < all.length; i++) {
                    if (all[i] != 0) {
                        return false;
                    }
                }
                return true;
            }
            for (int at = start + 1; at + header < all.length; at++) {
                if (end(at) > 0) {
                    return false;
                }
            }
            return true;
        }
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
                    state.owedDeadLetters.clear();
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
                if (in.available() > 0) { // v2: the batch's dead letters, to send (a v1 batch sent them before)
                    int deadLetters = in.readInt();
                    for (int i = 0; i < deadLetters; i++) {
                        Position p = new Position(in.readUTF(), in.readInt(), in.readLong());
                        state.owedDeadLetters.put(p, in.readUTF());
                    }
                }
            }
            case DEAD_LETTERS_SENT -> {
                int sent = in.readInt();
                for (int i = 0; i < sent; i++) {
                    state.owedDeadLetters.remove(new Position(in.readUTF(), in.readInt(), in.readLong()));
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
        batch(lengths, positions, Map.of());
    }

    /**
     * A batch, and the dead letters among its records, owed to the dead-letter endpoint until
     * {@link #deadLettersSent} says they were sent: one record, so that no crash can leave the batch
     * journaled without its dead letters.
     */
    void batch(Map<String, Long> lengths, Iterable<Position> positions, Map<Position, String> deadLetters) throws IOException {
        append(payload(out -> writeBatch(out, lengths, positions, deadLetters)));
    }

    /** These dead letters, journaled with their batch, were sent. */
    void deadLettersSent(Collection<Position> sent) throws IOException {
        append(payload(out -> {
            out.writeByte(DEAD_LETTERS_SENT);
            out.writeInt(sent.size());
            for (Position p : sent) {
                writePosition(out, p);
            }
        }));
    }

    private static void writePosition(DataOutputStream out, Position p) throws IOException {
        out.writeUTF(p.topic());
        out.writeInt(p.partition());
        out.writeLong(p.offset());
    }

    /** {@code name} is about to be renamed to {@code to}; once it is, the new {@code name} starts empty. */
    void rotate(String name, String to) throws IOException {
        append(payload(out -> {
            out.writeByte(ROTATE);
            out.writeUTF(name);
            out.writeUTF(to);
        }));
    }

    private static void writeBatch(DataOutputStream out, Map<String, Long> lengths, Iterable<Position> positions,
            Map<Position, String> deadLetters) throws IOException {
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
            writePosition(out, p);
        }
        out.writeInt(deadLetters.size());
        for (Map.Entry<Position, String> d : deadLetters.entrySet()) {
            writePosition(out, d.getKey());
            out.writeUTF(d.getValue());
        }
    }

    private interface PayloadWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /** A record appended (tests write journals of every record type with it). */
    interface Writer {
        void write(PositionsJournal journal) throws IOException;
    }

    private static byte[] payload(PayloadWriter writer) {
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
        ByteBuffer frame = ByteBuffer.allocate(12 + payload.length);
        frame.putInt(payload.length).putInt((int) crc.getValue());
        crc.reset();
        crc.update(frame.array(), 0, 8);
        frame.putInt((int) crc.getValue()).put(payload).flip();
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
                .map(e -> new Position(e.getKey().topic(), e.getKey().partition(), e.getValue())).toList(),
                Map.copyOf(state.owedDeadLetters)))).array());
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
