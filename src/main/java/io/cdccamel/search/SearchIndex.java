package io.cdccamel.search;

import io.cdccamel.settings.OwnerOnly;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The search index kept beside the output: {@value #RECORDS}, fixed-size records (one per printed
 * entry: time, table id, key hash, op, file id, byte offset of the entry), each framed by a marker
 * byte and checksummed (CRC32C), and {@value #CATALOG}, an append-only journal of framed records
 * (tables with their key columns, output files with their fingerprint, checkpoints: how many index
 * records are durable and where each output file was read up to). Derived data: whatever is
 * missing or damaged is rebuilt from the output files ({@link DamagedIndexException}).
 * <p>
 * A crash can leave records after the last checkpoint (they are cut at open and read again from
 * the files) and a torn last catalog frame (cut). Anything else that fails its check is damage.
 */
public final class SearchIndex implements AutoCloseable {

    public static final String RECORDS = "events.idx";
    public static final String CATALOG = "catalog";
    static final byte[] MAGIC = "cdcsrch1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 16;
    public static final int RECORD = 40;
    static final byte MARK = (byte) 0xE7;
    /** The op byte of a tombstone (Debezium's ops are letters). */
    public static final byte TOMBSTONE = 'x';
    static final long COMPACT_AT = 4L << 20;

    private static final byte T_GENERATION = 1;
    private static final byte T_TABLE = 2;
    private static final byte T_FILE = 3;
    private static final byte T_CHECKPOINT = 4;

    /** A table (one per topic, as Debezium routes them) and its key columns in key order; empty: keyless. */
    public record Table(int id, String topic, String name, List<String> keyColumns) {
        public Table {
            keyColumns = List.copyOf(keyColumns);
        }
    }

    /** An output file: its fingerprint (its first line) names it across renames; position: read up to here. */
    public static final class FileState {
        final int id;
        final byte[] fingerprint;
        volatile String name;
        long position;
        long lastTs;

        FileState(int id, byte[] fingerprint, String name) {
            this.id = id;
            this.fingerprint = fingerprint;
            this.name = name;
        }

        public int id() {
            return id;
        }

        public String name() {
            return name;
        }

        public long position() {
            return position;
        }
    }

    /** One index record; {@code position} is its number in the index (0 the oldest). */
    public record Entry(long position, byte op, int table, long ts, long keyHash, int file, long offset) {
    }

    /** A test on a record's fields, before its checksum is checked and its entry read. */
    public interface Filter {
        boolean test(byte op, int table, long ts, long keyHash);
    }

    /** Visits records newest first; false stops. */
    public interface Visitor {
        boolean visit(Entry entry) throws IOException;
    }

    private final Path dir;
    private final FileChannel records;
    private FileChannel catalog;
    private final long generation;
    private final Map<Integer, Table> tables = new ConcurrentHashMap<>();
    private final Map<String, Table> tablesByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, FileState> files = new ConcurrentHashMap<>();
    /** Records written (visible to searches); {@code durable} of them are checkpointed. */
    private volatile long count;
    private long durable;
    private final ByteBuffer staged = ByteBuffer.allocate(RECORD * 4096);
    private int stagedCount;

    private SearchIndex(Path dir, FileChannel records, FileChannel catalog, long generation) {
        this.dir = dir;
        this.records = records;
        this.catalog = catalog;
        this.generation = generation;
    }

    /** Thrown by {@link #open} when the index cannot be trusted: the caller rebuilds it. */
    public static final class DamagedIndexException extends IOException {
        public DamagedIndexException(String message) {
            super(message);
        }
    }

    /** A new, empty index in {@code dir} (anything there before is replaced). */
    public static SearchIndex create(Path dir) throws IOException {
        OwnerOnly.folder(dir);
        Files.deleteIfExists(dir.resolve(RECORDS));
        Files.deleteIfExists(dir.resolve(CATALOG));
        long generation = new SecureRandom().nextLong() & Long.MAX_VALUE;
        FileChannel records = openOwnerOnly(dir.resolve(RECORDS));
        ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putLong(generation).flip();
        records.write(header, 0);
        records.force(false);
        FileChannel catalog = openOwnerOnly(dir.resolve(CATALOG));
        SearchIndex index = new SearchIndex(dir, records, catalog, generation);
        index.appendFrame(frame(T_GENERATION, out -> out.writeLong(generation)));
        index.catalog.force(false);
        return index;
    }

    /**
     * The index in {@code dir} as its last checkpoint left it: records after it are cut, a torn last
     * catalog frame is cut, every record's checksum is checked.
     *
     * @throws DamagedIndexException when it is missing, of another version, or damaged
     */
    public static SearchIndex open(Path dir) throws IOException {
        Path recordsFile = dir.resolve(RECORDS);
        Path catalogFile = dir.resolve(CATALOG);
        if (!Files.isRegularFile(recordsFile) || !Files.isRegularFile(catalogFile)) {
            throw new DamagedIndexException("no index in " + dir);
        }
        OwnerOnly.folder(dir);
        byte[] catalogBytes = Files.readAllBytes(catalogFile); // the catalog is small: compacted past 4 MB
        FileChannel records = FileChannel.open(recordsFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel catalog = null;
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            records.read(header, 0);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            if (header.remaining() < HEADER || !Arrays.equals(magic(header, magic), MAGIC)) {
                throw new DamagedIndexException(recordsFile + " has no index header");
            }
            long generation = header.getLong();
            catalog = FileChannel.open(catalogFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            SearchIndex index = new SearchIndex(dir, records, catalog, generation);
            long valid = index.replay(catalogBytes);
            if (valid < catalogBytes.length) {
                catalog.truncate(valid);
                catalog.force(false);
            }
            long size = records.size();
            long needed = HEADER + index.durable * RECORD;
            if (size < needed) {
                throw new DamagedIndexException(recordsFile + " holds " + (size - HEADER) / RECORD + " records, its checkpoint "
                        + index.durable);
            }
            if (size > needed) {
                records.truncate(needed); // written after the last checkpoint (or torn): read again from the files
                records.force(false);
            }
            index.count = index.durable;
            index.checkAll();
            catalog.position(catalog.size());
            return index;
        } catch (IOException | RuntimeException e) {
            records.close();
            if (catalog != null) {
                catalog.close();
            }
            throw e instanceof DamagedIndexException d ? d
                    : new DamagedIndexException(dir + " cannot be read: " + e.getMessage());
        }
    }

    private static byte[] magic(ByteBuffer header, byte[] into) {
        header.get(into);
        return into;
    }

    private void checkAll() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(RECORD * 8192);
        long done = 0;
        while (done < count) {
            buffer.clear();
            int n = (int) Math.min(8192, count - done);
            buffer.limit(n * RECORD);
            readFully(buffer, HEADER + done * RECORD);
            for (int i = 0; i < n; i++) {
                if (!valid(buffer, i * RECORD)) {
                    throw new DamagedIndexException(dir.resolve(RECORDS) + " is damaged at record " + (done + i));
                }
            }
            done += n;
        }
    }

    private void readFully(ByteBuffer buffer, long at) throws IOException {
        long p = at;
        while (buffer.hasRemaining()) {
            int read = records.read(buffer, p);
            if (read < 0) {
                throw new EOFException();
            }
            p += read;
        }
        buffer.flip();
    }

    static boolean valid(ByteBuffer b, int at) {
        if (b.get(at) != MARK) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice(at, RECORD - 4));
        return (int) crc.getValue() == b.getInt(at + RECORD - 4);
    }

    /** Reads the catalog's frames; returns where the whole ones end. */
    private long replay(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        boolean sawGeneration = false;
        while (b.remaining() > 0) {
            int start = b.position();
            if (b.remaining() < 8) {
                return start; // a torn frame header
            }
            int length = b.getInt();
            int crc = b.getInt();
            if (length < 1 || length > (64 << 20)) {
                if (length > b.remaining()) {
                    return start; // a length past the end: only a crash mid-append leaves that, at the tail
                }
                throw new DamagedIndexException(dir.resolve(CATALOG) + " is damaged at byte " + start + " (length " + length + ")");
            }
            if (length > b.remaining()) {
                return start; // the last frame, cut short by a crash
            }
            CRC32C check = new CRC32C();
            check.update(bytes, b.position(), length);
            if ((int) check.getValue() != crc) {
                if (b.position() + length == bytes.length) {
                    return start; // the last frame, its bytes not all written
                }
                throw new DamagedIndexException(dir.resolve(CATALOG) + " is damaged at byte " + start + " (checksum)");
            }
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, b.position(), length));
            b.position(b.position() + length);
            byte type = in.readByte();
            switch (type) {
                case T_GENERATION -> {
                    if (in.readLong() != generation) {
                        throw new DamagedIndexException(dir.resolve(CATALOG) + " belongs to another index");
                    }
                    sawGeneration = true;
                }
                case T_TABLE -> {
                    int id = in.readInt();
                    String topic = in.readUTF();
                    String name = in.readUTF();
                    int n = in.readInt();
                    List<String> columns = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        columns.add(in.readUTF());
                    }
                    Table table = new Table(id, topic, name, columns);
                    tables.put(id, table);
                    tablesByTopic.put(topic, table);
                }
                case T_FILE -> {
                    int id = in.readInt();
                    String name = in.readUTF();
                    byte[] fingerprint = new byte[in.readInt()];
                    in.readFully(fingerprint);
                    files.put(id, new FileState(id, fingerprint, name));
                }
                case T_CHECKPOINT -> {
                    durable = in.readLong();
                    int n = in.readInt();
                    for (int i = 0; i < n; i++) {
                        FileState file = files.get(in.readInt());
                        String name = in.readUTF();
                        long position = in.readLong();
                        long lastTs = in.readLong();
                        if (file == null) {
                            throw new DamagedIndexException(dir.resolve(CATALOG) + " names a file it never declared");
                        }
                        file.name = name;
                        file.position = position;
                        file.lastTs = lastTs;
                    }
                }
                default -> throw new DamagedIndexException(dir.resolve(CATALOG) + " holds an unknown record type " + type);
            }
        }
        if (!sawGeneration) {
            throw new DamagedIndexException(dir.resolve(CATALOG) + " has no generation record");
        }
        return bytes.length;
    }

    // ---- writing (one indexer thread) ------------------------------------------------------------

    public Table table(String topic) {
        return tablesByTopic.get(topic);
    }

    public Table table(int id) {
        return tables.get(id);
    }

    public List<Table> tables() {
        return tables.values().stream().sorted(java.util.Comparator.comparingInt(Table::id)).toList();
    }

    /** Declares a table (journaled at once: a checkpoint's records may name it). */
    public synchronized Table addTable(String topic, String name, List<String> keyColumns) throws IOException {
        Table table = new Table(tables.size() + 1, topic, name, keyColumns);
        appendFrame(frame(T_TABLE, out -> {
            out.writeInt(table.id());
            out.writeUTF(topic);
            out.writeUTF(name);
            out.writeInt(table.keyColumns().size());
            for (String c : table.keyColumns()) {
                out.writeUTF(c);
            }
        }));
        tables.put(table.id(), table);
        tablesByTopic.put(topic, table);
        return table;
    }

    public synchronized List<FileState> files() {
        return files.values().stream().sorted(java.util.Comparator.comparingInt(FileState::id)).toList();
    }

    public synchronized FileState file(int id) {
        return files.get(id);
    }

    public synchronized FileState addFile(String name, byte[] fingerprint) throws IOException {
        FileState file = new FileState(files.size() + 1, fingerprint.clone(), name);
        appendFrame(frame(T_FILE, out -> {
            out.writeInt(file.id);
            out.writeUTF(name);
            out.writeInt(fingerprint.length);
            out.write(fingerprint);
        }));
        files.put(file.id, file);
        return file;
    }

    public static boolean sameFingerprint(FileState file, byte[] fingerprint) {
        return Arrays.equals(file.fingerprint, fingerprint);
    }

    /** A file seen under another name (rotated, renamed): searches read it there. */
    public synchronized void renamed(FileState file, String name) {
        file.name = name;
    }

    /** Adds a record; it is visible to searches after {@link #flush}, durable after {@link #checkpoint}. */
    public void add(byte op, int table, long ts, long keyHash, int file, long offset) throws IOException {
        if (stagedCount == staged.capacity() / RECORD) {
            flush();
        }
        int at = staged.position();
        staged.put(MARK).put(op).putShort((short) 0).putInt(table).putLong(ts).putLong(keyHash).putInt(file).putLong(offset);
        CRC32C crc = new CRC32C();
        crc.update(staged.array(), at, RECORD - 4);
        staged.putInt((int) crc.getValue());
        stagedCount++;
    }

    /** Writes the added records to the file (not synced). */
    public void flush() throws IOException {
        if (stagedCount == 0) {
            return;
        }
        staged.flip();
        long at = HEADER + count * RECORD;
        while (staged.hasRemaining()) {
            at += records.write(staged, at);
        }
        staged.clear();
        count += stagedCount;
        stagedCount = 0;
    }

    /**
     * Makes the records written so far durable with where each file was read up to: the records
     * are synced first, then the checkpoint is journaled and synced.
     */
    public synchronized void checkpoint(Map<FileState, long[]> positions) throws IOException {
        flush();
        records.force(false);
        for (Map.Entry<FileState, long[]> p : positions.entrySet()) {
            p.getKey().position = p.getValue()[0];
            p.getKey().lastTs = p.getValue()[1];
        }
        long total = count;
        List<FileState> all = files();
        appendFrame(frame(T_CHECKPOINT, out -> writeCheckpoint(out, total, all)));
        catalog.force(false);
        durable = total;
        if (catalog.size() > COMPACT_AT) {
            compact();
        }
    }

    private static void writeCheckpoint(DataOutputStream out, long total, List<FileState> all) throws IOException {
        out.writeLong(total);
        out.writeInt(all.size());
        for (FileState f : all) {
            out.writeInt(f.id);
            out.writeUTF(f.name);
            out.writeLong(f.position);
            out.writeLong(f.lastTs);
        }
    }

    /** The catalog rewritten as its state alone (tables, files, one checkpoint), then renamed over. */
    private void compact() throws IOException {
        Path tmp = dir.resolve(CATALOG + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel out = openOwnerOnly(tmp)) {
            List<byte[]> frames = new ArrayList<>();
            frames.add(frame(T_GENERATION, o -> o.writeLong(generation)));
            for (Table t : tables()) {
                frames.add(frame(T_TABLE, o -> {
                    o.writeInt(t.id());
                    o.writeUTF(t.topic());
                    o.writeUTF(t.name());
                    o.writeInt(t.keyColumns().size());
                    for (String c : t.keyColumns()) {
                        o.writeUTF(c);
                    }
                }));
            }
            for (FileState f : files()) {
                frames.add(frame(T_FILE, o -> {
                    o.writeInt(f.id);
                    o.writeUTF(f.name);
                    o.writeInt(f.fingerprint.length);
                    o.write(f.fingerprint);
                }));
            }
            long total = durable;
            List<FileState> all = files();
            frames.add(frame(T_CHECKPOINT, o -> writeCheckpoint(o, total, all)));
            for (byte[] f : frames) {
                writeFully(out, f);
            }
            out.force(false);
        }
        Files.move(tmp, dir.resolve(CATALOG), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        catalog.close();
        catalog = FileChannel.open(dir.resolve(CATALOG), StandardOpenOption.READ, StandardOpenOption.WRITE);
        catalog.position(catalog.size());
    }

    private interface FrameWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] frame(byte type, FrameWriter writer) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(payload);
        out.writeByte(type);
        writer.write(out);
        out.flush();
        byte[] p = payload.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(p);
        return ByteBuffer.allocate(8 + p.length).putInt(p.length).putInt((int) crc.getValue()).put(p).array();
    }

    private void appendFrame(byte[] frame) throws IOException {
        catalog.position(catalog.size());
        writeFully(catalog, frame);
    }

    private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private static FileChannel openOwnerOnly(Path file) throws IOException {
        if (Files.getFileStore(file.getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OwnerOnly.FILE));
        }
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    // ---- reading (any thread) --------------------------------------------------------------------

    /** Records visible to searches. */
    public long count() {
        return count;
    }

    public long generation() {
        return generation;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Visits the records before {@code before} (exclusive; {@link #count()} for the newest) that pass
     * {@code filter}, newest first, each checked against its checksum.
     *
     * @return the position the scan stopped at (0: it reached the oldest record)
     * @throws DamagedIndexException when a matching record fails its checksum
     */
    public long scan(long before, Filter filter, Visitor visitor) throws IOException {
        final int chunk = 8192;
        ByteBuffer buffer = ByteBuffer.allocate(RECORD * chunk);
        long end = Math.min(before, count);
        while (end > 0) {
            long start = Math.max(0, end - chunk);
            int n = (int) (end - start);
            buffer.clear();
            buffer.limit(n * RECORD);
            readFully(buffer, HEADER + start * RECORD);
            for (int i = n - 1; i >= 0; i--) {
                int at = i * RECORD;
                byte op = buffer.get(at + 1);
                int table = buffer.getInt(at + 4);
                long ts = buffer.getLong(at + 8);
                long keyHash = buffer.getLong(at + 16);
                if (!filter.test(op, table, ts, keyHash)) {
                    continue;
                }
                if (!valid(buffer, at)) {
                    throw new DamagedIndexException(dir.resolve(RECORDS) + " is damaged at record " + (start + i));
                }
                Entry e = new Entry(start + i, op, table, ts, keyHash, buffer.getInt(at + 24), buffer.getLong(at + 28));
                if (!visitor.visit(e)) {
                    return start + i;
                }
            }
            end = start;
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        try {
            records.close();
        } finally {
            catalog.close();
        }
    }
}
