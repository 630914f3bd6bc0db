package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Events Debezium sent again under new Kafka offsets. After a Kafka Connect worker dies, its
 * connector restarts from the last source offset Connect had flushed and re-emits what followed:
 * the same changes, at new positions in the topic. {@link WrittenPositions} cannot see those; this
 * recognises them by their source position: topic, {@code op}, {@code source.lsn},
 * {@code source.txId} and the row ({@code before} and {@code after}, which hold the key), and the
 * route drops them, counting them in metric {@code cdc_resent_events_dropped_total} and the log.
 * <p>
 * It remembers the positions of the last {@code window} events written (two generations of
 * 128-bit digests in arrays of longs, so memory is bounded: 32 bytes an event), filled at start from the tail of
 * the output files. A re-send older than the window is printed again. Events without
 * {@code source.lsn} (not from PostgreSQL) are never dropped.
 */
public class ResentEvents {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.resent-events");
    private static final Pattern HEADER = Pattern.compile("^Message on \\[ Topic: (\\S+) , Partition: \\d+, Offset: \\d+ \\] \\{$");
    /** How much of each output file's end is read back at start. */
    static final long TAIL_BYTES = 128L * 1024 * 1024;

    private final int generationSize;
    private DigestSet current = new DigestSet(16);
    private DigestSet previous = new DigestSet(16);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean dropping;
    private volatile String firstDropped;

    public ResentEvents(int window) {
        this.generationSize = Math.max(1, window / 2);
    }

    /**
     * Whether an event was written before under another Kafka offset, or comes earlier in the same
     * batch ({@code notYetWritten}); counts and logs the drops.
     *
     * @param position the event's {@link #positionOf position}; an event without one is never a re-send
     * @param where    topic-partition and offset, for the log
     */
    public boolean isResent(Digest position, Collection<Digest> notYetWritten, String where, ChangeEvent event) {
        if (position == null) {
            return false;
        }
        boolean resent = notYetWritten.contains(position);
        if (!resent) {
            synchronized (this) {
                resent = current.contains(position) || previous.contains(position);
            }
        }
        if (resent) {
            long n = dropped.incrementAndGet();
            if (!dropping) {
                dropping = true;
                firstDropped = where;
                LOG.warn("Dropping events Debezium sent again under new offsets (already written), from {} (lsn {}, op {})",
                        where, ExactJson.longValue(event.source().get("lsn")), event.opCode());
            }
            LOG.debug("Dropped re-sent event at {} ({} so far)", where, n);
        } else if (dropping) {
            dropping = false;
            LOG.warn("Dropped re-sent events from {} up to the one before {}; {} dropped since start",
                    firstDropped, where, dropped.get());
        }
        return resent;
    }

    /** These events' texts are written: from now on a copy of one under another offset is dropped. */
    public synchronized void remember(Collection<Digest> positions) {
        for (Digest position : positions) {
            remember(position);
        }
    }

    private synchronized void remember(Digest position) {
        if (current.size() >= generationSize) {
            previous = current;
            current = new DigestSet(generationSize);
        }
        current.add(position);
    }

    /** Events dropped since start. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Source positions remembered. */
    public synchronized int size() {
        return current.size() + previous.size();
    }

    /** The position an event is recognised by, or null when it has no {@code source.lsn}. */
    public static Digest positionOf(String topic, ChangeEvent event) {
        JsonNode source = event.source();
        JsonNode lsn = source == null ? null : source.get("lsn");
        if (lsn == null || lsn.isNull()) {
            return null;
        }
        MessageDigest md = MD5.get(); // digest() below leaves it reset
        update(md, topic);
        update(md, event.opCode());
        update(md, lsn.asText());
        JsonNode txId = source.get("txId");
        update(md, txId == null ? "null" : txId.asText());
        feed(md, event.before());
        feed(md, event.after());
        byte[] d = md.digest();
        return new Digest(longAt(d, 0), longAt(d, 8));
    }

    private static long longAt(byte[] b, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = (value << 8) | (b[i] & 0xFF);
        }
        return value;
    }

    /**
     * A row into the digest, keys sorted and numbers as their literal, so that the record (keys in
     * column order) and its printed copy read back (keys sorted) give the same digest.
     */
    private static void feed(MessageDigest md, JsonNode node) {
        if (node == null || node.isNull()) {
            md.update((byte) 'n');
        } else if (node.isObject()) {
            md.update((byte) '{');
            java.util.List<String> names = new java.util.ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            java.util.Collections.sort(names);
            for (String name : names) {
                update(md, name);
                feed(md, node.get(name));
            }
            md.update((byte) '}');
        } else if (node.isArray()) {
            md.update((byte) '[');
            for (JsonNode element : node) {
                feed(md, element);
            }
            md.update((byte) ']');
        } else {
            md.update(node.isTextual() ? (byte) 's' : (byte) 'v');
            String literal = ExactJson.numberLiteral(node);
            update(md, literal != null ? literal : node.asText());
        }
    }

    /** A string, length first: no two different sequences feed the same bytes. */
    private static void update(MessageDigest md, String text) {
        byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        md.update((byte) (n >>> 24));
        md.update((byte) (n >>> 16));
        md.update((byte) (n >>> 8));
        md.update((byte) n);
        md.update(bytes);
    }

    /** One digest per thread: looking MD5 up costs more than computing it for a row. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(ResentEvents::md5);

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads back the positions of the events at the end of each output file. */
    public static ResentEvents scan(Path outputDir, int window, ObjectMapper mapper) throws IOException {
        ResentEvents resent = new ResentEvents(window);
        if (!Files.isDirectory(outputDir)) {
            return resent;
        }
        long start = System.nanoTime();
        try (Stream<Path> files = Files.list(outputDir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                resent.readTail(file, mapper);
            }
        }
        if (resent.size() > 0) {
            LOG.info("Read back the source positions of the last {} events written, in {} ms", resent.size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return resent;
    }

    private void readTail(Path file, ObjectMapper mapper) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, raf.length() - TAIL_BYTES);
            raf.seek(from);
            BufferedReader reader = new BufferedReader(new InputStreamReader(Channels.newInputStream(raf.getChannel()),
                    StandardCharsets.UTF_8), 1 << 16);
            String line;
            String topic = null;
            StringBuilder json = null;
            while ((line = reader.readLine()) != null) {
                if (json != null) {
                    json.append(line).append('\n');
                    if (line.equals("}")) {
                        rememberPrinted(topic, json, mapper);
                        json = null;
                    }
                    continue;
                }
                Matcher m = HEADER.matcher(line);
                if (m.matches()) {
                    topic = m.group(1);
                    json = new StringBuilder(1024).append("{\n");
                }
            }
        }
    }

    private void rememberPrinted(String topic, StringBuilder json, ObjectMapper mapper) {
        try {
            Digest position = positionOf(topic, ChangeEvent.unchecked(mapper.readTree(json.toString())));
            if (position != null) {
                remember(position);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("An entry of {} could not be read back: {}", topic, e.getMessage());
        }
    }

    /**
     * A set of digests in one array of longs (open addressing, linear probing): a lookup touches one
     * or two cache lines, where a {@code HashSet<Digest>} follows a table, a node and a record.
     */
    static final class DigestSet {
        private long[] slots; // high, low, high, low, ...; (0, 0) marks a free slot
        private int size;
        private boolean hasZero; // the digest (0, 0) itself

        DigestSet(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            slots = new long[capacity * 2];
        }

        boolean contains(Digest d) {
            if (d.high() == 0 && d.low() == 0) {
                return hasZero;
            }
            int mask = slots.length / 2 - 1;
            for (int i = index(d, mask); ; i = (i + 1) & mask) {
                long high = slots[2 * i];
                long low = slots[2 * i + 1];
                if (high == 0 && low == 0) {
                    return false;
                }
                if (high == d.high() && low == d.low()) {
                    return true;
                }
            }
        }

        void add(Digest d) {
            if (d.high() == 0 && d.low() == 0) {
                if (!hasZero) {
                    hasZero = true;
                    size++;
                }
                return;
            }
            if ((size + 1) * 2 > slots.length / 2) {
                grow();
            }
            int mask = slots.length / 2 - 1;
            for (int i = index(d, mask); ; i = (i + 1) & mask) {
                long high = slots[2 * i];
                long low = slots[2 * i + 1];
                if (high == 0 && low == 0) {
                    slots[2 * i] = d.high();
                    slots[2 * i + 1] = d.low();
                    size++;
                    return;
                }
                if (high == d.high() && low == d.low()) {
                    return;
                }
            }
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = hasZero ? 1 : 0;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != 0 || old[i + 1] != 0) {
                    add(new Digest(old[i], old[i + 1]));
                }
            }
        }

        private static int index(Digest d, int mask) {
            // the digest's bits are uniform already
            return (int) (d.low() ^ (d.low() >>> 32)) & mask;
        }

        int size() {
            return size;
        }
    }

    /** 128 bits of MD5: collisions are out of reach for any window that fits in memory. */
    public record Digest(long high, long low) {
    }
}
