package io.cdccamel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.ThreadMXBean;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.EnvelopeText;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.OutputFormat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Printing an envelope ({@code bench/run format}, no stack): the same {@code bench.events} (1,000,000)
 * Debezium envelopes of the throughput benchmark's shape (a 6-column row, about 640 bytes), printed
 * as entries into batches of 500 (a builder of 64 KB each), by the tree ({@code ChangeEvent.of(mapper.readTree(...))},
 * the read step before issue 25) and by the tokens ({@link EnvelopeText}, the read step now), in 5
 * interleaved rounds on one thread: ns per event and bytes allocated per event, medians, and the ratio.
 */
final class FormatBench {

    private static final String ENVELOPE = "{\"before\":null,\"after\":{\"id\":%d,\"name\":\"product %d\",\"price\":\"%d.%02d\","
            + "\"qty\":%d,\"created_at\":\"2026-12-03T10:15:30.123456Z\",\"note\":\"" + "x".repeat(64) + "\"},"
            + "\"source\":{\"version\":\"3.6.0.Final\",\"connector\":\"postgresql\",\"name\":\"postgres\",\"ts_ms\":1795613960337,"
            + "\"snapshot\":\"false\",\"db\":\"postgres\",\"sequence\":\"[\\\"24023928\\\",\\\"24023984\\\"]\",\"ts_us\":1795613960337864,"
            + "\"ts_ns\":1795613960337864000,\"schema\":\"debezium\",\"table\":\"bench_rows\",\"txId\":%d,\"lsn\":%d,\"xmin\":null},"
            + "\"transaction\":null,\"op\":\"c\",\"ts_ms\":1795613960412,\"ts_us\":1795613960412345,\"ts_ns\":1795613960412345678}";

    private FormatBench() {
    }

    static void run() throws Exception {
        int events = Bench.intProperty("bench.events", 1_000_000);
        int distinct = 20_000;
        byte[][] values = new byte[distinct][];
        for (int i = 0; i < distinct; i++) {
            values[i] = String.format(ENVELOPE, i, i, i % 100, i % 97, i % 97, 1000 + i, 24_000_000L + 56L * i)
                    .getBytes(StandardCharsets.UTF_8);
        }
        ObjectMapper mapper = ExactJson.newObjectMapper();
        int rounds = 5;
        double[][] nanos = new double[2][rounds];
        double[][] bytes = new double[2][rounds];
        long check = 0;
        for (int round = 0; round < rounds; round++) {
            for (int way = 0; way < 2; way++) {
                ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
                long allocated = threads.getCurrentThreadAllocatedBytes();
                long start = System.nanoTime();
                StringBuilder batch = new StringBuilder(64 * 1024);
                for (int i = 0; i < events; i++) {
                    byte[] value = values[i % distinct];
                    if (way == 0) {
                        OutputFormat.appendEvent(batch, "postgres.debezium.bench_rows", i % 3, i,
                                ChangeEvent.of(mapper.readTree(value)));
                    } else {
                        OutputFormat.appendHeader(batch, "postgres.debezium.bench_rows", i % 3, i);
                        EnvelopeText.print(mapper.getFactory(), value, batch);
                        batch.append('\n');
                    }
                    if (i % 500 == 499) {
                        check += batch.length();
                        batch = new StringBuilder(64 * 1024);
                    }
                }
                nanos[way][round] = (System.nanoTime() - start) / (double) events;
                bytes[way][round] = (threads.getCurrentThreadAllocatedBytes() - allocated) / (double) events;
                Bench.progress("round %d, %s: %.0f ns/event, %.0f bytes allocated/event", round + 1, way == 0 ? "tree" : "tokens",
                        nanos[way][round], bytes[way][round]);
            }
        }
        double tree = Bench.median(nanos[0]);
        double tokens = Bench.median(nanos[1]);
        Bench.figure("format, %d envelopes of %d bytes, medians of %d interleaved rounds: tree %.0f ns/event (%.0f bytes allocated), "
                        + "tokens %.0f ns/event (%.0f bytes allocated); tokens/tree %.2f of the time, %.2f of the bytes (%d chars printed)",
                events, values[0].length, rounds, tree, Bench.median(bytes[0]), tokens, Bench.median(bytes[1]), tokens / tree,
                Bench.median(bytes[1]) / Bench.median(bytes[0]), check / (2L * rounds));
        Arrays.fill(values, null);
    }
}
