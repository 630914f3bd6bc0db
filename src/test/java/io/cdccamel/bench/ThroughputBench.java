package io.cdccamel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.main.Main;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.EnvelopeText;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.events.ExactJson;
import io.cdccamel.stack.LocalStack;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Consumer throughput on one topic of real Debezium envelopes (3 partitions, RF 3): the Camel
 * route (file and log output, synced before each commit), a plain KafkaConsumer doing the same
 * formatting and syncing, and kcat writing the raw values to a file.
 * <p>
 * The envelopes: {@code -Dbench.source.rows} (20,000) rows inserted in PostgreSQL and streamed by
 * the real pipeline, then copied to topic {@code bench.envelopes} up to {@code -Dbench.events}
 * (1,000,000), each copy with its own row id and LSN, as distinct changes would have. They are
 * written as the exactly-once Connect worker writes them: in transactions of
 * {@value #TRANSACTION_RECORDS} records (Debezium's {@code max.batch.size}, one poll), and every
 * reader here reads with {@code isolation.level=read_committed}, as the route does.
 */
final class ThroughputBench {

    static final String TOPIC = "bench.envelopes";
    static final int TRANSACTION_RECORDS = 2048;
    private static final String SOURCE_TOPIC = "postgres.debezium.bench_rows";

    private ThroughputBench() {
    }

    static void run() throws Exception {
        int events = Bench.intProperty("bench.events", 1_000_000);
        int sourceRows = Bench.intProperty("bench.source.rows", 20_000);
        Path dir = Bench.freshDir("throughput");
        long t0 = System.nanoTime();
        Main app = Bench.startApp(dir, Map.of("cdc.topics", TOPIC));
        CamelContext camel = app.getCamelContext();
        camel.getRouteController().stopRoute("print-change-events");
        LocalStack stack = Bench.stack(app);
        String brokers = stack.kafka().bootstrapServers();
        Bench.progress("stack and app up in %d ms; RSS %d MB", (System.nanoTime() - t0) / 1_000_000, Bench.rssMb());
        long rssAfterStart = Bench.rssMb();

        Bench.sql(stack, "CREATE TABLE debezium.bench_rows (id int PRIMARY KEY, name text, price numeric(10,2), "
                        + "qty int, created_at timestamptz DEFAULT now(), note text)",
                "INSERT INTO debezium.bench_rows (id, name, price, qty, note) SELECT g, 'product ' || g, "
                        + "(g % 10000) / 100.0, g % 97, repeat('x', 64) FROM generate_series(1, " + sourceRows + ") g");
        List<ConsumerRecord<byte[], byte[]>> real = readAll(brokers, SOURCE_TOPIC, sourceRows);
        Bench.progress("%d real envelopes from the pipeline (e.g. %d bytes)", real.size(), real.get(0).value().length);
        long bytes = fill(brokers, real, events);
        Bench.progress("topic %s: %d events, %.1f MB of values", TOPIC, events, bytes / 1e6);

        double kcat = kcat(brokers, dir, events);
        double[] plainTimes = plainConsumer(brokers, dir, events);
        double plain = plainTimes[0];
        double plainSecondHalf = plainTimes[1];
        // the route: started now, on a topic that is full
        CpuUse cpu = new CpuUse();
        long start = System.nanoTime();
        camel.getRouteController().startRoute("print-change-events");
        Bench.awaitCommitted(app, events / 2, 30, TimeUnit.MINUTES, "the route did not reach half the events");
        long half = System.nanoTime();
        Bench.awaitCommitted(app, events, 30, TimeUnit.MINUTES, "the route did not finish");
        long end = System.nanoTime();
        double route = (end - start) / 1e9;
        double routeSecondHalf = (end - half) / 1e9;
        String cpuOfRoute = cpu.since();
        long rssAtEnd = Bench.rssMb();

        Bench.figure("throughput (%d events, %.0f MB, 3 partitions):", events, bytes / 1e6);
        Bench.figure("  camel route  %8.0f events/s %6.1f MB/s  (%.1f s)", events / route, bytes / 1e6 / route, route);
        Bench.figure("  plain consumer %6.0f events/s %6.1f MB/s  (%.1f s)", events / plain, bytes / 1e6 / plain, plain);
        if (!Double.isNaN(kcat)) {
            Bench.figure("  kcat         %8.0f events/s %6.1f MB/s  (%.1f s)", events / kcat, bytes / 1e6 / kcat, kcat);
            Bench.figure("  route/kcat %.2f  route/plain %.2f", kcat / route, plain / route);
        } else {
            Bench.figure("  kcat: not installed (apt-get install kcat); route/plain %.2f", plain / route);
        }
        Bench.figure("  second half only (JIT compilation done): camel route %.0f events/s, plain consumer %.0f events/s, "
                + "route/plain %.2f", events / 2 / routeSecondHalf, events / 2 / plainSecondHalf, plainSecondHalf / routeSecondHalf);
        Bench.figure("  RSS of the stack (JVM + PostgreSQL): %d MB after start, %d MB after the route's run", rssAfterStart, rssAtEnd);
        Bench.figure("  route's run: %s", cpuOfRoute);
        Bench.stop(app);
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(String brokers, String topic, int expected) {
        Properties props = new Properties();
        props.put("bootstrap.servers", brokers);
        props.put("group.id", "bench-read-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        props.put("isolation.level", "read_committed");
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (all.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + all.size() + " of " + expected + " records in " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        all.add(r);
                    }
                }
            }
        }
        return all;
    }

    /** Copies of the real envelopes, each with its own id and LSN; returns the bytes of values written. */
    private static long fill(String brokers, List<ConsumerRecord<byte[], byte[]>> real, int events) throws Exception {
        Properties admin = new Properties();
        admin.put("bootstrap.servers", brokers);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get();
        }
        List<String[]> templates = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : real) {
            templates.add(template(new String(r.value(), StandardCharsets.UTF_8)));
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", brokers);
        props.put("linger.ms", "20");
        props.put("batch.size", Integer.toString(512 * 1024));
        props.put("compression.type", "none");
        props.put("transactional.id", "bench-fill-" + System.nanoTime());
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (int i = 0; i < events; i++) {
                if (i % TRANSACTION_RECORDS == 0) {
                    if (i > 0) {
                        producer.commitTransaction();
                    }
                    producer.beginTransaction();
                }
                int n = templates.size();
                String[] t = templates.get(i % n);
                long copy = i / n;
                long id = Long.parseLong(t[1]) + copy * n;
                long lsn = Long.parseLong(t[3]) + copy * 10_000_000_000L;
                byte[] value = (t[0] + id + t[2] + lsn + t[4]).getBytes(StandardCharsets.UTF_8);
                bytes += value.length;
                producer.send(new ProducerRecord<>(TOPIC, ("Struct{id=" + id + "}").getBytes(StandardCharsets.UTF_8), value));
                if (i % 200_000 == 0 && i > 0) {
                    Bench.progress("%d produced", i);
                }
            }
            producer.commitTransaction();
        }
        return bytes;
    }

    /** {@code [before id, id, between, lsn, after lsn]} of a compact Debezium envelope. */
    private static String[] template(String value) {
        String idMark = "\"after\":{\"id\":";
        int idStart = value.indexOf(idMark) + idMark.length();
        int idEnd = idStart;
        while (Character.isDigit(value.charAt(idEnd))) {
            idEnd++;
        }
        String lsnMark = "\"lsn\":";
        int lsnStart = value.indexOf(lsnMark, idEnd) + lsnMark.length();
        int lsnEnd = lsnStart;
        while (Character.isDigit(value.charAt(lsnEnd))) {
            lsnEnd++;
        }
        return new String[] {value.substring(0, idStart), value.substring(idStart, idEnd), value.substring(idEnd, lsnStart),
                value.substring(lsnStart, lsnEnd), value.substring(lsnEnd)};
    }

    /** kcat writing every raw value to a file; seconds, or NaN when kcat is not installed. */
    private static double kcat(String brokers, Path dir, int events) throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
        Path out = dir.resolve("kcat.out");
        long start = System.nanoTime();
        Process kcat = new ProcessBuilder("kcat", "-C", "-b", brokers, "-t", TOPIC, "-e", "-o", "beginning", "-q",
                "-X", "isolation.level=read_committed",
                "-f", "%s\\n").redirectOutput(out.toFile()).redirectError(dir.resolve("kcat.err").toFile()).start();
        if (!kcat.waitFor(30, TimeUnit.MINUTES) || kcat.exitValue() != 0) {
            throw new IllegalStateException("kcat failed: " + Files.readString(dir.resolve("kcat.err")));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long lines;
        try (var l = Files.lines(out)) {
            lines = l.count();
        }
        if (lines != events) {
            throw new IllegalStateException("kcat wrote " + lines + " values, not " + events);
        }
        return seconds;
    }

    /**
     * A plain KafkaConsumer loop doing what the route does: parse, format as the Go consumer did,
     * append to a per-topic file, sync once per poll, then commit.
     */
    /** Seconds for all events, and for the second half of them. */
    private static double[] plainConsumer(String brokers, Path dir, int events) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", brokers);
        props.put("group.id", "bench-plain-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        props.put("isolation.level", "read_committed");
        ObjectMapper mapper = ExactJson.newObjectMapper();

        Path file = dir.resolve("plain-" + TOPIC + ".log");
        long start = System.nanoTime();
        long half = 0;
        int done = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(java.nio.channels.Channels.newOutputStream(channel),
                     StandardCharsets.UTF_8), 1 << 16)) {
            consumer.subscribe(List.of(TOPIC));
            while (done < events) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                StringBuilder text = new StringBuilder(64 * 1024);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    // as the route's read step: printed from the bytes, the tree where those leave it to the tree
                    OutputFormat.appendHeader(text, r.topic(), r.partition(), r.offset());
                    if (EnvelopeText.print(mapper.getFactory(), r.value(), text) == null) {
                        OutputFormat.appendEnvelope(ChangeEvent.of(mapper.readTree(r.value())), text);
                    }
                    text.append('\n');
                    done++;
                }
                out.append(text);
                if (!records.isEmpty()) {
                    out.flush();
                    channel.force(false);
                    consumer.commitAsync();
                }
                if (half == 0 && done >= events / 2) {
                    half = System.nanoTime();
                }
            }
        }
        long end = System.nanoTime();
        return new double[] {(end - start) / 1e9, (end - half) / 1e9};
    }

    static long endOffsets(String brokers, String topic) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", brokers);
        try (Admin a = Admin.create(props)) {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                spec.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return a.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }
}
