package io.cdccamel.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The output as its own source of truth: the highest Kafka offset already written, per topic and
 * partition, read back from the output files at start. A record at or below it was printed (or
 * dead-lettered) before a crash or a redelivery, and is skipped, so the files get each record once.
 */
public class WrittenPositions {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.output-positions");

    private final Map<String, Long> highest = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean skipping;
    /** Set while the output is read back in the background. */
    private volatile java.util.concurrent.CompletableFuture<Void> scanned;

    /** Reads every output file of {@code outputDir}, first cutting off an entry left half-written. */
    public static WrittenPositions scan(Path outputDir) throws IOException {
        WrittenPositions positions = new WrittenPositions();
        positions.load(outputDir);
        return positions;
    }

    /**
     * {@link #scan} in a thread of its own, so that reading a large output back (1 s for 100,000
     * events here) overlaps the rest of the start; {@link #awaitScanned} waits for it.
     */
    public static WrittenPositions scanInBackground(Path outputDir) {
        WrittenPositions positions = new WrittenPositions();
        positions.scanned = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                positions.load(outputDir);
                positions.scanned.complete(null);
            } catch (IOException | RuntimeException e) {
                positions.scanned.completeExceptionally(e);
            }
        }, "cdc-output-read-back");
        reader.setDaemon(true);
        reader.start();
        return positions;
    }

    /** Returns once the output is read back; throws what stopped the reading. */
    public void awaitScanned() throws IOException {
        java.util.concurrent.CompletableFuture<Void> pending = scanned;
        if (pending == null) {
            return;
        }
        try {
            pending.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void load(Path outputDir) throws IOException {
        for (Path file : OutputFormat.files(outputDir)) {
            repairTail(file);
            try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.forEach(this::readLine);
            }
        }
        if (!highest.isEmpty()) {
            LOG.info("Output in {} already holds {} topic-partition(s) up to {}", outputDir, highest.size(),
                    new java.util.TreeMap<>(highest));
        }
    }

    private void readLine(String line) {
        OutputFormat.Entry header = OutputFormat.parseHeader(line);
        if (header != null) {
            highest.merge(key(header.topic(), header.partition()), header.offset(), Math::max);
        }
    }

    /**
     * A crash in the middle of an append leaves a last entry without its end; that entry is cut off
     * so that it is written again, whole. Only the file's last 64 KB are read.
     */
    static void repairTail(Path file) throws IOException {
        long size = Files.size(file);
        if (size == 0) {
            return;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            int tail = (int) Math.min(size, 64 * 1024);
            byte[] bytes = new byte[tail];
            raf.seek(size - tail);
            raf.readFully(bytes);
            int from = 0;
            if (tail < size) {
                // start at a line start: the tail may begin inside an entry
                while (from < tail && bytes[from] != '\n') {
                    from++;
                }
                from++;
            }
            if (from >= tail) {
                return;
            }
            String text = new String(bytes, from, tail - from, StandardCharsets.UTF_8);
            int whole = OutputFormat.wholeEnd(text);
            if (whole < 0) {
                if (tail == size) {
                    whole = 0; // a file with no header at all holds nothing of ours
                } else {
                    return; // one entry longer than the tail: too long to judge, kept
                }
            }
            long cut = size - tail + from + text.substring(0, whole).getBytes(StandardCharsets.UTF_8).length;
            if (cut < size) {
                LOG.warn("{} ended with a half-written entry ({} bytes): cut off, it will be written again",
                        file, size - cut);
                raf.setLength(cut);
            }
        }
    }

    private static String key(String topic, int partition) {
        return topic + "-" + partition;
    }

    /** Whether this record is not in the output yet. */
    public boolean isNew(String topic, int partition, long offset) {
        if (scanned != null && !scanned.isDone()) {
            try {
                awaitScanned(); // the app waits at start already; this is for any other caller
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Long written = highest.get(key(topic, partition));
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

    /** Called once the record's text is appended. */
    public void written(String topic, int partition, long offset) {
        highest.merge(key(topic, partition), offset, Math::max);
    }

    /** Records skipped since start because they were already written. */
    public long skippedCount() {
        return skipped.get();
    }

    public Long highest(String topic, int partition) {
        return highest.get(key(topic, partition));
    }
}
