package io.cdccamel.search;

import io.cdccamel.base.BackgroundThread;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.events.OutputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the {@link SearchIndex} up with the output files: it reads what each file gained since its
 * checkpoint (the live files up to the length the positions journal gives, so nothing a restart may
 * cut is indexed; rotated files whole), one round every {@code intervalMillis}, on its own thread,
 * never on the print route's path. A file is known by its first line (its fingerprint), so a rename
 * ({@code cdc.output.max-bytes}, logrotate) is followed, and a file that starts anew is a new file.
 * A missing or damaged index is rebuilt from the files, its progress logged every 5 s.
 */
public final class OutputIndexer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.search-index");
    /** {@code <topic>.log} and its rotated {@code <topic>.log.<n>}. */
    private static final Pattern OUTPUT_FILE = Pattern.compile("(.+" + Pattern.quote(OutputFormat.FILE_SUFFIX) + ")(?:\\.(\\d{1,17}))?");
    static final int FINGERPRINT_BYTES = 512;
    /** The name given to a file no longer in the output (no file name starts with a NUL). */
    static final String GONE = "\u0000gone/";
    /** A round checkpoints after this many bytes read, so that a long rebuild resumes near where it stopped. */
    static final long ROUND_BYTES = 64L << 20;

    private final Path outputDir;
    private final Path indexDir;
    private final Function<String, Long> journaledLength;
    private final KeyColumns keyColumns;
    private final long intervalMillis;
    private volatile SearchIndex index;
    private final AtomicLong indexed = new AtomicLong();
    private volatile String failure;
    private volatile boolean rebuilding;
    private volatile long lastRoundMillis;
    private ScheduledExecutorService executor;
    private long lastProgressLog;

    /**
     * @param journaledLength an output file's length in the positions journal (null: not journaled, read it whole)
     */
    public OutputIndexer(Path outputDir, Path indexDir, Function<String, Long> journaledLength, KeyColumns keyColumns,
                         long intervalMillis) {
        this.outputDir = outputDir;
        this.indexDir = indexDir;
        this.journaledLength = journaledLength;
        this.keyColumns = keyColumns;
        this.intervalMillis = intervalMillis;
    }

    /** Starts the rounds on the indexer's own thread. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            // the index may lag while the route prints: at nice 19 it takes the CPU the route leaves (bench/README.md)
            Thread t = new Thread(() -> {
                BackgroundThread.lowerPriority();
                r.run();
            }, "cdc-search-indexer");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::roundLogged, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void roundLogged() {
        try {
            runOnce();
            if (failure != null) {
                LOG.info("Search index is written again ({} events indexed)", index == null ? 0 : index.count());
            }
            failure = null;
        } catch (SearchIndex.DamagedIndexException e) {
            LOG.warn("Search index in {} is damaged ({}): rebuilding it from the output files", indexDir, e.getMessage());
            closeIndex();
            try {
                index = SearchIndex.create(indexDir);
                rebuilding = true;
            } catch (IOException | RuntimeException again) {
                fail(again);
            }
        } catch (Exception | Error e) {
            fail(e);
        }
    }

    private void fail(Throwable e) {
        String message = "Search index in " + indexDir + " cannot be written (" + e + "): searches answer from what it held "
                + "before, and new events are not found until it can; fix the cause (disk full? permissions of " + indexDir
                + "?), or delete " + indexDir + " to have it rebuilt";
        if (!message.equals(failure)) {
            LOG.error(message);
        }
        failure = message;
    }

    /** One round: opens (or rebuilds) the index if needed, reads what the files gained. Returns events added. */
    public synchronized long runOnce() throws IOException {
        long started = System.currentTimeMillis();
        if (index == null) {
            try {
                index = SearchIndex.open(indexDir);
                LOG.info("Search index in {} holds {} events; reading the output from its checkpoint", indexDir, index.count());
            } catch (SearchIndex.DamagedIndexException e) {
                if (Files.exists(indexDir.resolve(SearchIndex.RECORDS)) || Files.exists(indexDir.resolve(SearchIndex.CATALOG))) {
                    LOG.warn("Search index in {} cannot be used ({}): rebuilding it from the output files", indexDir, e.getMessage());
                } else {
                    LOG.info("No search index in {} yet: building it from the output files", indexDir);
                }
                index = SearchIndex.create(indexDir);
                rebuilding = true;
            }
        }
        SearchIndex idx = index;
        long added = 0;
        long bytes = 0;
        Map<SearchIndex.FileState, long[]> positions = new LinkedHashMap<>();
        Map<String, SearchIndex.FileState> byFingerprint = new HashMap<>();
        for (SearchIndex.FileState f : idx.files()) {
            byFingerprint.put(Arrays.toString(f.fingerprint), f);
        }
        long total = 0;
        long remaining = 0;
        java.util.Set<SearchIndex.FileState> seen = new java.util.HashSet<>();
        List<Path> listed = outputFiles();
        for (Path path : listed) {
            String name = path.getFileName().toString();
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                byte[] fingerprint = fingerprint(channel, size);
                if (fingerprint == null) {
                    continue; // its first line is not whole yet
                }
                SearchIndex.FileState file = byFingerprint.get(Arrays.toString(fingerprint));
                if (file == null) {
                    file = idx.addFile(name, fingerprint);
                    byFingerprint.put(Arrays.toString(fingerprint), file);
                } else if (!file.name().equals(name)) {
                    LOG.info("Output file {} is now {} (rotated): the search reads its entries there", file.name(), name);
                    idx.renamed(file, name);
                    positions.putIfAbsent(file, new long[] {file.position, file.lastTs});
                }
                seen.add(file);
                long limit = size;
                Long journaled = name.endsWith(OutputFormat.FILE_SUFFIX) ? journaledLength.apply(name) : null;
                if (journaled != null && journaled < limit) {
                    limit = journaled;
                }
                total += limit;
                if (file.position > limit) {
                    continue; // cut back by the app at its start, or being rewritten: read on once it holds more
                }
                remaining += limit - file.position;
                if (bytes >= ROUND_BYTES || file.position == limit) {
                    continue;
                }
                long[] state = {file.position, file.lastTs};
                long[] count = {0};
                SearchIndex.FileState f = file;
                long budgetEnd = Math.min(limit, file.position + (ROUND_BYTES - bytes));
                long readTo;
                try {
                    readTo = PrintedEntries.read(channel, file.position, budgetEnd, raw -> {
                        SearchIndex.Table table = table(idx, raw);
                        JsonNode envelope = EventFacts.envelope(raw);
                        EventFacts facts = EventFacts.of(raw, envelope, table.keyColumns(), state[1]);
                        idx.add(facts.op(), table.id(), facts.ts(), facts.keyHash(), f.id, raw.start());
                        state[1] = facts.ts();
                        state[0] = raw.end();
                        count[0]++;
                        return true;
                    });
                } catch (KeyColumnsUnavailable e) {
                    readTo = state[0];
                    positions.put(file, new long[] {readTo, state[1]});
                    added += count[0];
                    checkpoint(idx, positions, added);
                    throw e;
                }
                bytes += readTo - file.position;
                remaining -= readTo - file.position;
                positions.put(file, new long[] {readTo, state[1]});
                added += count[0];
            } catch (NoSuchFileException e) {
                // renamed or deleted between the listing and the open: the next round sees it
            }
        }
        // a file of ours whose name another file now has (the output folder replaced, copytruncate): gone
        java.util.Set<String> names = new java.util.HashSet<>();
        seen.forEach(f -> names.add(f.name()));
        for (SearchIndex.FileState f : idx.files()) {
            if (!seen.contains(f) && names.contains(f.name())) {
                idx.renamed(f, GONE + f.name());
                positions.putIfAbsent(f, new long[] {f.position, f.lastTs});
            }
        }
        if (!positions.isEmpty()) {
            checkpoint(idx, positions, added);
        }
        lastRoundMillis = System.currentTimeMillis() - started;
        if (rebuilding) {
            long now = System.currentTimeMillis();
            if (remaining == 0) {
                rebuilding = false;
                if (idx.count() > 0) {
                    LOG.info("Search index built: {} events from {} MB of output", idx.count(), total >> 20);
                }
            } else if (now - lastProgressLog >= 5000) {
                lastProgressLog = now;
                LOG.info("Search index: building from the output, {} of {} MB read, {} events indexed",
                        (total - remaining) >> 20, total >> 20, idx.count());
            }
        }
        return added;
    }

    private void checkpoint(SearchIndex idx, Map<SearchIndex.FileState, long[]> positions, long added) throws IOException {
        idx.checkpoint(positions);
        indexed.addAndGet(added);
        positions.clear();
    }

    /** Thrown from inside a file's reading: the round stops there, and starts again from that entry. */
    static final class KeyColumnsUnavailable extends IOException {
        KeyColumnsUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SearchIndex.Table table(SearchIndex idx, PrintedEntries.Raw raw) throws IOException {
        String topic = raw.entry().topic();
        SearchIndex.Table table = idx.table(topic);
        if (table != null) {
            return table;
        }
        String name = EventFacts.tableName(topic, raw.tombstone() ? null : raw.envelope());
        List<String> columns;
        try {
            columns = keyColumns.of(name);
        } catch (Exception e) {
            throw new KeyColumnsUnavailable("cannot read the key columns of " + name + " from the source database: "
                    + e.getMessage(), e);
        }
        if (columns.isEmpty()) {
            LOG.info("Table {} has no key (no primary key, no replica identity index): searches find its events by "
                    + "table, op and time, not by key", name);
        }
        return idx.addTable(topic, name, columns);
    }

    /** The output files in reading order: per topic its rotated files oldest first, then the live one. */
    List<Path> outputFiles() throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        Map<Path, String[]> parts = new HashMap<>();
        try (Stream<Path> files = Files.list(outputDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = OUTPUT_FILE.matcher(p.getFileName().toString());
                if (m.matches() && !m.group(1).equals(OutputFormat.DEAD_LETTER_FILE) && Files.isRegularFile(p)) {
                    found.add(p);
                    parts.put(p, new String[] {m.group(1), m.group(2)});
                }
            }
        }
        found.sort(Comparator.<Path, String>comparing(p -> parts.get(p)[0])
                .thenComparingLong(p -> parts.get(p)[1] == null ? Long.MAX_VALUE : Long.parseLong(parts.get(p)[1])));
        return found;
    }

    /** The file's first line (at most {@value #FINGERPRINT_BYTES} bytes), or null when it is not whole yet. */
    static byte[] fingerprint(FileChannel channel, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(FINGERPRINT_BYTES, size));
        while (b.hasRemaining()) {
            if (channel.read(b, b.position()) < 0) {
                break;
            }
        }
        byte[] bytes = Arrays.copyOf(b.array(), b.position());
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return Arrays.copyOf(bytes, i + 1);
            }
        }
        return bytes.length == FINGERPRINT_BYTES ? bytes : null;
    }

    // ---- state --------------------------------------------------------------------------------------

    /** The index searches read, or null before its first round. */
    public SearchIndex index() {
        return index;
    }

    public Path outputDir() {
        return outputDir;
    }

    /** Events indexed since start. */
    public long indexedCount() {
        return indexed.get();
    }

    /** Why the index is not kept up, or null while it is. */
    public String failure() {
        return failure;
    }

    public boolean rebuilding() {
        return rebuilding;
    }

    public long lastRoundMillis() {
        return lastRoundMillis;
    }

    private void closeIndex() {
        SearchIndex i = index;
        index = null;
        if (i != null) {
            try {
                i.close();
            } catch (IOException e) {
                LOG.debug("Closing the search index: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        closeIndex();
    }
}
