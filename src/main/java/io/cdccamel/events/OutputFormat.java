package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.data.Envelope;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The output's wire format, written and read back by this class alone: the text the seed tutorial's
 * Go consumer printed, {@code Message on [ Topic: T , Partition: P, Offset: O ] } followed on the same
 * line by the envelope as indented JSON (Go's {@code Printf} then {@code Println}); a one-line entry
 * for a tombstone; a one-line entry in {@code dead-letter.log} for a record that cannot be printed.
 * Every text a record brings (values, keys, reasons) is escaped so that an entry's lines are its own.
 * Reading it back is for tools, tests and taking over an earlier version's output once: where the
 * output stands is in its positions journal ({@code store.PositionsJournal}), never read from this text.
 */
public final class OutputFormat {

    /** Output files: {@code <topic>.log} per topic, and {@link #DEAD_LETTER_FILE}. */
    public static final String FILE_SUFFIX = ".log";
    public static final String DEAD_LETTER_FILE = "dead-letter" + FILE_SUFFIX;

    private static final String EVENT_HEADER = "Message on [ ";
    private static final String DEAD_LETTER_HEADER = "Dead letter on [ ";
    private static final String TOMBSTONE = "tombstone (null value) for key ";
    /** An entry's header at the start of a line; the JSON's own lines start with a tab or a closing bracket. */
    private static final Pattern HEADER = Pattern.compile(
            "^(Message|Dead letter) on \\[ Topic: (\\S+) , Partition: (\\d+), Offset: (\\d+) \\] ", Pattern.MULTILINE);

    /** What an entry is. */
    public enum Kind { EVENT, TOMBSTONE, DEAD_LETTER }

    /** One whole entry read back: where its record was in Kafka, and the text after the header. */
    public record Entry(Kind kind, String topic, int partition, long offset, String text) {
    }

    private OutputFormat() {
    }

    /** The file a topic's entries go to (Kafka topic names are {@code [a-zA-Z0-9._-]{1,249}}: safe file names). */
    public static String fileName(String topic) {
        return topic + FILE_SUFFIX;
    }

    /** The output files in {@code dir}, sorted; none when it does not exist. */
    public static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(FILE_SUFFIX) && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    // ---- writing ---------------------------------------------------------------------------------

    /** The header, exactly as the Go program's {@code Printf} wrote it (note the space before the comma). */
    public static String header(String topic, int partition, long offset) {
        return appendHeader(new StringBuilder(64), topic, partition, offset).toString();
    }

    /** Header and envelope, ending with a newline. */
    public static String event(String topic, int partition, long offset, ChangeEvent event) {
        return appendEvent(new StringBuilder(1024), topic, partition, offset, event).toString();
    }

    /** {@link #event}, appended to {@code out} (no copy of the text per record). */
    public static StringBuilder appendEvent(StringBuilder out, String topic, int partition, long offset, ChangeEvent event) {
        appendEnvelope(event, appendHeader(out, topic, partition, offset));
        return out.append('\n');
    }

    /**
     * The header of an entry whose envelope is appended next ({@link #appendEnvelope}, {@link EnvelopeText}),
     * then a newline.
     */
    public static StringBuilder appendHeader(StringBuilder out, String topic, int partition, long offset) {
        return out.append(EVENT_HEADER).append("Topic: ").append(topic).append(" , Partition: ").append(partition)
                .append(", Offset: ").append(offset).append(" ] ");
    }

    /** Appends the envelope as an entry prints it, without header and newline. */
    public static void appendEnvelope(ChangeEvent event, StringBuilder out) {
        if (event.operation() == Envelope.Operation.MESSAGE) {
            addMessageText(event.payload().path("message"));
        }
        GoJsonWriter.write(event.payload(), out, 0);
    }

    /**
     * One line for a null value: the marker Debezium sends after a delete so that compaction can drop
     * the key. The key is escaped as a value's text is (JSON string escapes, but no quotes around it and
     * {@code "} as itself, so that the usual {@code Struct{id=24}} prints as it did): whatever it
     * holds, the entry is one line.
     */
    public static String tombstone(String topic, int partition, long offset, String key) {
        return header(topic, partition, offset) + TOMBSTONE + oneLine(key) + "\n";
    }

    /** One line for the dead-letter file: where the record was, and why it was not printed. */
    public static String deadLetter(String topic, int partition, long offset, String reason, String valuePreview) {
        return DEAD_LETTER_HEADER + "Topic: " + topic + " , Partition: " + partition + ", Offset: " + offset + " ] reason: "
                + (reason == null ? "unknown" : oneLine(reason)) + " | value: " + valuePreview + "\n";
    }

    /**
     * A logical decoding message ({@code pg_logical_emit_message}) carries bytes, which Debezium
     * sends as hex ({@code binary.handling.mode: hex}): when they are UTF-8 text, that text is
     * printed beside them as {@code content_text}; {@code content} stays as it came.
     */
    static void addMessageText(JsonNode message) {
        if (!(message instanceof ObjectNode node) || !message.path("content").isTextual()) {
            return;
        }
        String hex = message.path("content").textValue();
        if (hex.length() % 2 != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(HexFormat.of().parseHex(hex))).toString();
            node.put("content_text", text);
        } catch (CharacterCodingException e) {
            // not UTF-8: the hex alone
        }
    }

    /** {@code text} on one line: the escapes of a JSON string ({@link GoJsonWriter#escapeLine}), quotes as themselves. */
    public static String oneLine(String text) {
        return text == null ? "null" : GoJsonWriter.escapeLine(text);
    }

    // ---- reading back ----------------------------------------------------------------------------

    /** The header that starts {@code line}, as an entry without its text; null when the line starts none. */
    public static Entry parseHeader(String line) {
        if (!line.startsWith(EVENT_HEADER) && !line.startsWith(DEAD_LETTER_HEADER)) {
            return null; // the JSON's own lines start with a tab or a closing bracket
        }
        Matcher m = HEADER.matcher(line);
        if (!m.lookingAt()) {
            return null;
        }
        String rest = line.substring(m.end());
        Kind kind = m.group(1).equals("Dead letter") ? Kind.DEAD_LETTER
                : rest.startsWith(TOMBSTONE) ? Kind.TOMBSTONE : Kind.EVENT;
        return new Entry(kind, m.group(2), Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)), rest);
    }

    /** The whole entries of an output file's text, in order; a last entry without its end is left out. */
    public static List<Entry> entries(String content) {
        List<Entry> entries = new ArrayList<>();
        read(content, entries);
        return entries;
    }

    /**
     * Where the whole entries of {@code text} end, when {@code text} starts at a line start: what
     * follows is an entry a crash left half-written. -1 when {@code text} holds no header at all.
     */
    public static int wholeEnd(String text) {
        return read(text, null);
    }

    private static int read(String content, List<Entry> entries) {
        Matcher m = HEADER.matcher(content);
        boolean found = m.find();
        int end = found ? m.start() : -1;
        while (found) {
            Kind kind = m.group(1).equals("Message") ? Kind.EVENT : Kind.DEAD_LETTER;
            String topic = m.group(2);
            int partition = Integer.parseInt(m.group(3));
            long offset = Long.parseLong(m.group(4));
            int start = m.end();
            found = m.find();
            int stop = found ? m.start() : content.length();
            String text = content.substring(start, stop);
            if (kind == Kind.EVENT && text.startsWith(TOMBSTONE)) {
                kind = Kind.TOMBSTONE;
            }
            // an envelope ends with a "}" alone on its line, a one-line entry with its newline
            if (kind == Kind.EVENT ? !text.endsWith("\n}\n") && !text.equals("{}\n") : !text.endsWith("\n")) {
                break;
            }
            end = stop;
            if (entries != null) {
                entries.add(new Entry(kind, topic, partition, offset, text));
            }
        }
        return end;
    }
}
