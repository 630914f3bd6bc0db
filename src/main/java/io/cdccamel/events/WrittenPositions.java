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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The output as its own source of truth: the highest Kafka offset already written, per topic and
 * partition, read back from the output files at start. A record at or below it was printed (or
 * dead-lettered) before a crash or a redelivery, and is skipped, so the files get each record once.
 */
public class WrittenPositions {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.output-positions");
    private static final Pattern POSITION = Pattern.compile(
            "(?:Message|Dead letter) on \\[ Topic: (\\S+) , Partition: (\\d+), Offset: (\\d+) \\]");

    private final Map<String, Long> highest = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean skipping;

    /** Reads every {@code *.log} of {@code outputDir}, first cutting off an entry left half-written. */
    public static WrittenPositions scan(Path outputDir) throws IOException {
        WrittenPositions positions = new WrittenPositions();
        if (!Files.isDirectory(outputDir)) {
            return positions;
        }
        try (Stream<Path> files = Files.list(outputDir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                repairTail(file);
                try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    lines.forEach(positions::readLine);
                }
            }
        }
        if (!positions.highest.isEmpty()) {
            LOG.info("Output in {} already holds {} topic-partition(s) up to {}", outputDir, positions.highest.size(),
                    new java.util.TreeMap<>(positions.highest));
        }
        return positions;
    }

    private void readLine(String line) {
        // headers start a line (the JSON's own lines start with a tab, a brace or a bracket)
        if (line.isEmpty() || line.charAt(0) == '\t' || line.charAt(0) == '}' || line.charAt(0) == ']') {
            return;
        }
        Matcher m = POSITION.matcher(line);
        if (m.find()) {
            highest.merge(key(m.group(1), Integer.parseInt(m.group(2))), Long.parseLong(m.group(3)), Math::max);
        }
    }

    /**
     * A crash in the middle of an append leaves a last entry without its end; that entry is cut off
     * so that it is written again, whole.
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
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.endsWith("\n") && isCompleteLastEntry(text)) {
                return;
            }
            int lastHeader = Math.max(text.lastIndexOf("\nMessage on [ "), text.lastIndexOf("\nDead letter on [ "));
            long cut = lastHeader >= 0 ? size - tail + text.substring(0, lastHeader + 1).getBytes(StandardCharsets.UTF_8).length
                    : (tail == size ? 0 : size);
            if (cut < size) {
                LOG.warn("{} ended with a half-written entry ({} bytes): cut off, it will be written again",
                        file, size - cut);
                raf.setLength(cut);
            }
        }
    }

    /** The last line closes an envelope (a "}" alone) or is a whole one-line entry. */
    private static boolean isCompleteLastEntry(String text) {
        int start = text.lastIndexOf('\n', text.length() - 2) + 1;
        String last = text.substring(start, text.length() - 1);
        return last.equals("}") || last.contains("Message on [ ") && last.contains(" ] tombstone ")
                || last.startsWith("Dead letter on [ ");
    }

    private static String key(String topic, int partition) {
        return topic + "-" + partition;
    }

    /** Whether this record is not in the output yet. */
    public boolean isNew(String topic, int partition, long offset) {
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
