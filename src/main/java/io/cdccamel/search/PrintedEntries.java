package io.cdccamel.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.OutputFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads printed entries back from an output file, one at a time from a byte position, never the
 * whole file: the entries' text is {@link OutputFormat}'s (a header line starting
 * {@code Message on [ }, then for an event the envelope's lines up to a {@code }} alone on its line;
 * a tombstone is one line). An entry whose end is not in the file yet (a crash, or a batch being
 * appended) is not returned; lines that start no entry (someone's note) are passed over.
 */
public final class PrintedEntries {

    static final ObjectMapper JSON = ExactJson.newObjectMapper();
    private static final byte[] HEADER = "Message on [ ".getBytes(StandardCharsets.US_ASCII);
    private static final String TOMBSTONE = "tombstone (null value) for key ";

    private PrintedEntries() {
    }

    /** One whole entry: where it starts and ends in its file, and its text after the header. */
    public record Raw(long start, long end, OutputFormat.Entry entry) {

        public boolean tombstone() {
            return entry.kind() == OutputFormat.Kind.TOMBSTONE;
        }

        /** The tombstone's key as Kafka Connect printed it ({@code Struct{id=24}}), unescaped. */
        public String tombstoneKey() {
            String text = entry.text();
            String key = text.substring(TOMBSTONE.length(), text.length() - 1);
            return KeyText.unescapeLine(key);
        }

        public JsonNode envelope() throws IOException {
            return JSON.readTree(entry.text());
        }
    }

    /** Receives entries in file order; false stops the reading. */
    public interface Sink {
        boolean accept(Raw raw) throws IOException;
    }

    /**
     * Reads the whole entries between {@code from} and {@code limit}, in order.
     *
     * @return the byte position after the last whole entry passed on (or after lines that start none)
     */
    public static long read(FileChannel channel, long from, long limit, Sink sink) throws IOException {
        channel.position(from);
        InputStream in = Channels.newInputStream(channel);
        Lines lines = new Lines(in, limit - from);
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        long entryStart = -1;
        long done = from;
        long at = from;
        byte[] line;
        while ((line = lines.next()) != null) {
            long lineStart = at;
            at += lines.length;
            boolean header = startsWith(line, lines.length, HEADER);
            if (header) {
                entry.reset();
                entryStart = lineStart;
                entry.write(line, 0, lines.length);
                if (!endsWith(line, lines.length, "{\n")) {
                    // one line: a tombstone, an empty envelope {}, or a line we do not know (passed over)
                    Raw raw = raw(entryStart, at, entry);
                    entryStart = -1;
                    done = at;
                    if (raw != null && !sink.accept(raw)) {
                        return done;
                    }
                }
            } else if (entryStart >= 0) {
                entry.write(line, 0, lines.length);
                if (lines.length == 2 && line[0] == '}' && line[1] == '\n') {
                    Raw raw = raw(entryStart, at, entry);
                    entryStart = -1;
                    done = at;
                    if (raw != null && !sink.accept(raw)) {
                        return done;
                    }
                }
            } else {
                done = at; // a line of no entry
            }
        }
        return done;
    }

    /** The whole entry that starts at {@code offset}, or null when none does (the file changed). */
    public static Raw at(FileChannel channel, long offset) throws IOException {
        Raw[] found = new Raw[1];
        long size = channel.size();
        if (offset >= size) {
            return null;
        }
        read(channel, offset, size, raw -> {
            if (raw.start() == offset) {
                found[0] = raw;
            }
            return false;
        });
        return found[0];
    }

    private static Raw raw(long start, long end, ByteArrayOutputStream bytes) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        OutputFormat.Entry entry = OutputFormat.parseHeader(text);
        if (entry == null || entry.kind() == OutputFormat.Kind.DEAD_LETTER) {
            return null;
        }
        if (entry.kind() == OutputFormat.Kind.TOMBSTONE && !entry.text().endsWith("\n")) {
            return null;
        }
        return new Raw(start, end, entry);
    }

    private static boolean startsWith(byte[] line, int length, byte[] prefix) {
        return length >= prefix.length && Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static boolean endsWith(byte[] line, int length, String suffix) {
        byte[] s = suffix.getBytes(StandardCharsets.US_ASCII);
        return length >= s.length && Arrays.equals(line, length - s.length, length, s, 0, s.length);
    }

    /** Lines with their newline, up to a byte budget; a last line without its newline is not returned. */
    private static final class Lines {
        private final InputStream in;
        private long budget;
        private final byte[] chunk = new byte[1 << 16];
        private int chunkAt;
        private int chunkEnd;
        private byte[] buffer = new byte[8192];
        int length;

        Lines(InputStream in, long budget) {
            this.in = in;
            this.budget = budget;
        }

        byte[] next() throws IOException {
            length = 0;
            while (true) {
                if (chunkAt == chunkEnd) {
                    if (budget <= 0) {
                        return null;
                    }
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, budget));
                    if (n <= 0) {
                        return null;
                    }
                    budget -= n;
                    chunkAt = 0;
                    chunkEnd = n;
                }
                int from = chunkAt;
                int nl = from;
                while (nl < chunkEnd && chunk[nl] != '\n') {
                    nl++;
                }
                boolean whole = nl < chunkEnd;
                int take = (whole ? nl + 1 : nl) - from;
                if (length + take > buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + take));
                }
                System.arraycopy(chunk, from, buffer, length, take);
                length += take;
                chunkAt = from + take;
                if (whole) {
                    return buffer;
                }
            }
        }
    }
}
