package io.cdccamel.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.InvalidChangeEventException;
import io.debezium.data.Envelope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One change event as the page shows it: table, op, key and its columns before and after, each
 * value cut to a bounded length so that a huge row can never freeze the page. Plain Java.
 *
 * @param table   {@code schema.table} from the envelope's source, else the topic
 * @param op      Debezium's op code ({@code c u d r t m}), {@code tombstone} or {@code invalid}
 * @param columns the row's columns; {@code changed} is null when it cannot be told (no before image)
 * @param note    why something is missing or cut, or null
 */
public record EventDigest(String table, String topic, int partition, long offset, long timestamp, String op,
                          String key, List<Column> columns, int bytes, String note) {

    /** Op of a record with a null value (Debezium's tombstone after a delete). */
    public static final String TOMBSTONE = "tombstone";
    /** Op of a record that is no Debezium envelope (it goes to the dead letters in the print route). */
    public static final String INVALID = "invalid";

    /** One column; {@code before}/{@code after} are JSON text (strings unquoted), null when absent. */
    public record Column(String name, String before, String after, Boolean changed) {
    }

    /** What the page is given of a value: at most {@code maxChars} characters. */
    public record Limits(int maxValueChars, int maxKeyChars, int maxColumns) {
    }

    /** Reads one record; never throws: a value that is not an envelope becomes an {@code invalid} digest. */
    public static EventDigest of(String topic, int partition, long offset, long timestamp, String key, String value,
                                 ObjectMapper mapper, Limits limits) {
        String shownKey = cut(key, limits.maxKeyChars());
        int bytes = value == null ? 0 : value.length();
        if (value == null) {
            return new EventDigest(topic, topic, partition, offset, timestamp, TOMBSTONE, shownKey, List.of(), 0, null);
        }
        ChangeEvent event;
        try {
            event = ChangeEvent.of(mapper.readTree(value));
        } catch (InvalidChangeEventException | IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
            return new EventDigest(topic, topic, partition, offset, timestamp, INVALID, shownKey,
                    List.of(new Column("value", null, cut(value, limits.maxValueChars()), null)), bytes,
                    cutNote(value, limits.maxValueChars(), "not a change event: " + reason));
        }
        JsonNode source = event.source();
        String table = topic;
        if (source != null && source.hasNonNull("table")) {
            table = (source.hasNonNull("schema") ? source.get("schema").asText() + "." : "") + source.get("table").asText();
        }
        JsonNode before = event.before();
        JsonNode after = event.after();
        Envelope.Operation op = event.operation();
        List<String> notes = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        fieldNames(after, names);
        fieldNames(before, names);
        List<Column> columns = new ArrayList<>();
        int cutValues = 0;
        for (String name : names) {
            if (columns.size() >= limits.maxColumns()) {
                notes.add((names.size() - columns.size()) + " more column(s) not shown");
                break;
            }
            JsonNode b = before == null ? null : before.get(name);
            JsonNode a = after == null ? null : after.get(name);
            Boolean changed = switch (op) {
                case CREATE -> Boolean.TRUE;
                case DELETE -> Boolean.TRUE;
                case UPDATE -> before == null ? null : !Objects.equals(b, a);
                default -> Boolean.FALSE;
            };
            String bt = text(b);
            String at = text(a);
            if (tooLong(bt, limits) || tooLong(at, limits)) {
                cutValues++;
            }
            columns.add(new Column(name, cut(bt, limits.maxValueChars()), cut(at, limits.maxValueChars()), changed));
        }
        if (cutValues > 0) {
            notes.add(cutValues + " value(s) cut to " + limits.maxValueChars() + " characters (event of "
                    + String.format("%,d", bytes) + " characters)");
        }
        if (op == Envelope.Operation.UPDATE && before == null) {
            notes.add("no before image: the table's REPLICA IDENTITY is not FULL");
        }
        return new EventDigest(table, topic, partition, offset, timestamp, op.code(), shownKey, columns, bytes,
                notes.isEmpty() ? null : String.join("; ", notes));
    }

    /** The same event, named after {@code table}. */
    public EventDigest inTable(String table) {
        return new EventDigest(table, topic, partition, offset, timestamp, op, key, columns, bytes, note);
    }

    private static void fieldNames(JsonNode row, Set<String> names) {
        if (row != null && row.isObject()) {
            for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
        }
    }

    private static String text(JsonNode value) {
        if (value == null) {
            return null;
        }
        return value.isTextual() ? value.textValue() : value.toString();
    }

    private static boolean tooLong(String text, Limits limits) {
        return text != null && text.length() > limits.maxValueChars();
    }

    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "\u2026";
    }

    private static String cutNote(String value, int max, String reason) {
        return value.length() > max ? reason + "; cut to " + max + " of " + String.format("%,d", value.length())
                + " characters" : reason;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
