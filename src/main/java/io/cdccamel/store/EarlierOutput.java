package io.cdccamel.store;

import io.cdccamel.events.OutputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Output written by a cdc-camel without a positions journal, taken over once: its files are read
 * back as that version did (an entry left half-written cut off, the highest offset per partition
 * found from the entries' headers), and {@link WrittenPositions} journals the result. Never used
 * again for that folder: header-shaped text in a row could move what this finds, which is why the
 * journal replaced it.
 */
final class EarlierOutput {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.output-positions");

    /** What the files hold: each file's length (after a half-written entry is cut off), each partition's highest offset. */
    record Found(Map<String, Long> lengths, Map<PositionsJournal.Partition, Long> offsets) {
    }

    private EarlierOutput() {
    }

    static Found read(Path outputDir) throws IOException {
        Map<String, Long> lengths = new LinkedHashMap<>();
        Map<PositionsJournal.Partition, Long> offsets = new HashMap<>();
        for (Path file : OutputFormat.files(outputDir)) {
            if (!hasEntry(file)) {
                // not written by cdc-camel (a notes.log of the user's): not journaled, so never cut, now or later
                LOG.info("{} holds no entry of cdc-camel: left alone, and not named in the journal", file);
                continue;
            }
            repairTail(file);
            lengths.put(file.getFileName().toString(), Files.size(file));
            try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.forEach(line -> {
                    OutputFormat.Entry header = OutputFormat.parseHeader(line);
                    if (header != null) {
                        offsets.merge(new PositionsJournal.Partition(header.topic(), header.partition()), header.offset(), Math::max);
                    }
                });
            }
        }
        return new Found(lengths, offsets);
    }

    private static boolean hasEntry(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.anyMatch(line -> OutputFormat.parseHeader(line) != null);
        } catch (java.io.UncheckedIOException e) {
            return false; // not UTF-8 text: not ours
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
                return; // no header in the tail: one entry longer than it, too long to judge, kept
            }
            long cut = size - tail + from + text.substring(0, whole).getBytes(StandardCharsets.UTF_8).length;
            if (cut < size) {
                LOG.warn("{} ended with a half-written entry ({} bytes): cut off, it will be written again",
                        file, size - cut);
                raf.setLength(cut);
            }
        }
    }
}
