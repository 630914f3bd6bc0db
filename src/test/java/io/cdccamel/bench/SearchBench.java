package io.cdccamel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.search.EventSearch;
import io.cdccamel.search.OutputIndexer;
import io.cdccamel.search.SearchIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The search's answer time at {@code bench.search.events} (1,000,000) indexed events
 * ({@code bench/run search}): one key's history (the whole index scanned, its hits read back from
 * the output files), the newest page of one table and op, and a page of an hour in the middle; and
 * what building the index from the files costs. The output is real printed text: three tables'
 * files, random keys, ops and times over ten days, order 4711's insert, updates and delete among them.
 */
final class SearchBench {

    private static final ObjectMapper JSON = ExactJson.newObjectMapper();

    private SearchBench() {
    }

    static void run() throws Exception {
        int events = Bench.intProperty("bench.search.events", 1_000_000);
        Path dir = Bench.freshDir("search");
        Path output = Files.createDirectories(dir.resolve("output"));
        String[] tables = {"orders", "lines", "product"};
        java.io.Writer[] files = new java.io.Writer[tables.length];
        for (int t = 0; t < tables.length; t++) {
            files[t] = Files.newBufferedWriter(output.resolve(OutputFormat.fileName("postgres.shop." + tables[t])));
        }
        long t0 = 1795614764000L;
        long tenDays = 10L * 24 * 3600 * 1000;
        String[] ops = {"c", "u", "u", "u", "d", "r"};
        Random random = new Random(42);
        long[] offsets = new long[tables.length];
        Bench.progress("writing %d printed events to %s", events, output);
        long started = System.nanoTime();
        for (int i = 0; i < events; i++) {
            int t = random.nextInt(tables.length);
            String op = ops[random.nextInt(ops.length)];
            int id = random.nextInt(200_000);
            if (id == 4711) {
                id = 4712;
            }
            // order 4711's history: insert, updates, delete, spread over the ten days
            int story = i == events / 10 ? 0 : i == events * 4 / 10 ? 1 : i == events * 7 / 10 ? 2 : i == events * 95 / 100 ? 3 : -1;
            if (story >= 0) {
                t = 0;
                id = 4711;
                op = new String[] {"c", "u", "u", "d"}[story];
            }
            String row = "{\"id\":" + id + ",\"amount\":\"" + (i % 1000) + ".25\",\"note\":\"row " + i + "\"}";
            String envelope = "{\"before\":" + (op.equals("c") || op.equals("r") ? "null" : row) + ",\"after\":"
                    + (op.equals("d") ? "null" : row) + ",\"op\":\"" + op + "\",\"source\":{\"schema\":\"shop\",\"table\":\""
                    + tables[t] + "\",\"ts_ms\":" + (t0 + tenDays * i / events) + "},\"ts_ms\":" + (t0 + tenDays * i / events + 5) + "}";
            files[t].write(OutputFormat.event("postgres.shop." + tables[t], id % 3, offsets[t]++,
                    ChangeEvent.of(JSON.readTree(envelope))));
        }
        for (java.io.Writer w : files) {
            w.close();
        }
        long bytes = 0;
        for (String t : tables) {
            bytes += Files.size(output.resolve(OutputFormat.fileName("postgres.shop." + t)));
        }
        Bench.figure("search: %d events written, %d MB of output, in %d ms", events, bytes >> 20,
                (System.nanoTime() - started) / 1_000_000);
        Path indexDir = dir.resolve("data/search");
        OutputIndexer indexer = new OutputIndexer(output, indexDir, f -> null, t -> List.of("id"), 1000);
        started = System.nanoTime();
        while (indexer.runOnce() > 0) {
            Bench.progress("indexed %d", indexer.index().count());
        }
        long buildMillis = (System.nanoTime() - started) / 1_000_000;
        Bench.figure("search: index built from the output in %d ms (%d events/s), %d MB", buildMillis,
                indexer.index().count() * 1000 / Math.max(1, buildMillis),
                Files.size(indexDir.resolve(SearchIndex.RECORDS)) >> 20);
        indexer.close();
        started = System.nanoTime();
        OutputIndexer reopened = new OutputIndexer(output, indexDir, f -> null, t -> List.of("id"), 1000);
        reopened.runOnce();
        Bench.figure("search: index of %d records opened (every checksum checked) in %d ms", reopened.index().count(),
                (System.nanoTime() - started) / 1_000_000);
        EventSearch search = new EventSearch(reopened);
        measure(search, "one key's history (key=4711, whole index scanned)", Map.of("key", "4711"), 4);
        measure(search, "one key's history in one table", Map.of("key", "{\"id\":4711}", "table", "shop.orders"), 4);
        measure(search, "newest 50 updates of one table", Map.of("table", "shop.orders", "op", "u"), 50);
        String from = java.time.Instant.ofEpochMilli(t0 + tenDays / 2).toString();
        String to = java.time.Instant.ofEpochMilli(t0 + tenDays / 2 + 3_600_000).toString();
        measure(search, "an hour in the middle, 500 per page", Map.of("from", from, "to", to, "limit", "500"), 500);
        reopened.close();
    }

    private static void measure(EventSearch search, String what, Map<String, String> params, int expected) throws Exception {
        int runs = 21;
        long[] micros = new long[runs];
        int hits = 0;
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            EventSearch.Page page = search.search(EventSearch.Query.parse(params));
            micros[i] = (System.nanoTime() - started) / 1000;
            hits = page.events().size();
        }
        if (expected >= 0 && hits != expected) {
            throw new AssertionError(what + ": " + hits + " hits, expected " + expected);
        }
        Arrays.sort(micros);
        Bench.figure("search: %s: %d hits, median %.1f ms, slowest %.1f ms, first (cold) of %d runs included", what, hits,
                micros[runs / 2] / 1000.0, micros[runs - 1] / 1000.0, runs);
    }
}
