package io.cdccamel.bench;

import io.cdccamel.events.OutputFormat;
import io.cdccamel.store.PositionsJournal;
import io.cdccamel.store.WrittenPositions;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the output costs a start ({@code bench/run output-open}, {@code -Dbench.output.mb=1024}):
 * the same folder of {@code bench.output.mb} MB of entries (three topics' files), opened as the start
 * opens it. Before the journal, every start read every file back ({@code EarlierOutput}: a version
 * without a journal is taken over that way once, which is this figure); with it, a start reads
 * {@code .positions} only. Measured warm (the files in the page cache), the best case for reading
 * back; a cold cache makes reading back slower still and leaves the journal's figure as it is.
 */
final class OutputOpenBench {

    private OutputOpenBench() {
    }

    static void run() throws Exception {
        int mb = Bench.intProperty("bench.output.mb", 1024);
        Path dir = Bench.freshDir("output-open").resolve("output");
        Files.createDirectories(dir);
        String value = "\t\"after\": {\n\t\t\"id\": %d,\n\t\t\"name\": \"" + "x".repeat(700) + "\"\n\t},\n\t\"op\": \"c\"\n}\n";
        long target = mb * 1024L * 1024L;
        long written = 0;
        long entries = 0;
        Bench.progress("writing %d MB of output to %s", mb, dir);
        String[] topics = {"postgres.debezium.a", "postgres.debezium.b", "postgres.debezium.c"};
        BufferedWriter[] files = new BufferedWriter[topics.length];
        for (int t = 0; t < topics.length; t++) {
            files[t] = Files.newBufferedWriter(dir.resolve(OutputFormat.fileName(topics[t])), StandardCharsets.UTF_8);
        }
        while (written < target) {
            int t = (int) (entries % topics.length);
            String entry = OutputFormat.header(topics[t], (int) (entries % 3), entries) + "{\n" + String.format(value, entries);
            files[t].write(entry);
            written += entry.length();
            entries++;
        }
        for (BufferedWriter f : files) {
            f.close();
        }
        Bench.figure("output-open: %d MB, %d entries in %d files", written / (1024 * 1024), entries, topics.length);

        double[] before = new double[3];
        double[] after = new double[3];
        double[] none = new double[3];
        Path empty = Files.createDirectories(dir.resolveSibling("empty"));
        for (int run = 0; run < 3; run++) {
            Files.deleteIfExists(dir.resolve(PositionsJournal.FILE_NAME));
            long t0 = System.nanoTime();
            WrittenPositions.open(dir, true).close(); // no journal: the output read back, as every start did before
            before[run] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            WrittenPositions.open(dir, true).close(); // the journal written by the open before
            after[run] = (System.nanoTime() - t0) / 1e6;
            Files.deleteIfExists(empty.resolve(PositionsJournal.FILE_NAME));
            t0 = System.nanoTime();
            WrittenPositions.open(empty, true).close();
            none[run] = (System.nanoTime() - t0) / 1e6;
            Bench.progress("run %d: read back %.0f ms, journal %.1f ms, empty folder %.1f ms", run + 1, before[run], after[run], none[run]);
        }
        Bench.figure("output-open: positions at start with %d MB of output: read back (before) median %.0f ms; "
                        + "journal (after) median %.1f ms; no output at all median %.1f ms",
                written / (1024 * 1024), Bench.median(before), Bench.median(after), Bench.median(none));
    }
}
