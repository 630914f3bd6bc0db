package io.cdccamel.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A row's key as the search compares it: each key column's value as text (a string's characters, a
 * number's literal as printed, anything else its compact JSON), by column name. The same form is read
 * from an event's {@code after} (or {@code before}), from a tombstone's {@code Struct{id=24}} and
 * from the {@code key} parameter, and hashed to 64 bits for the index; the hash only narrows the
 * search, every hit is compared in full.
 */
public final class KeyText {

    private static final ObjectMapper JSON = ExactJson.newObjectMapper();
    private static final String STRUCT = "Struct{";

    private KeyText() {
    }

    /** A key parameter: {@code {"id":4711}} (names and values), or a bare value for a one-column key. */
    public record Query(Map<String, String> columns, String bare) {

        /** Whether a row's key ({@link KeyText#of}) is this one. */
        public boolean matches(Map<String, String> key) {
            if (key == null || key.isEmpty()) {
                return false;
            }
            if (bare != null) {
                return key.size() == 1 && key.values().iterator().next().equals(bare);
            }
            return key.equals(columns);
        }

        public long hash() {
            return bare != null ? KeyText.hash(List.of(bare)) : KeyText.hash(new TreeMap<>(columns).values());
        }
    }

    /**
     * Parses the {@code key} parameter: a JSON object (the Debezium key's JSON), or one value: JSON
     * ({@code 4711}, {@code "abc"}) or, when it is not JSON, the text as it is ({@code abc}).
     *
     * @throws IllegalArgumentException with the reason, for a 400
     */
    public static Query parse(String key) {
        String k = key.strip();
        if (k.isEmpty()) {
            throw new IllegalArgumentException("key is empty");
        }
        if (k.startsWith("{")) {
            JsonNode node;
            try {
                node = JSON.readTree(k);
            } catch (Exception e) {
                throw new IllegalArgumentException("key starts with { but is not a JSON object: " + firstLine(e.getMessage()));
            }
            if (node == null || !node.isObject() || node.isEmpty()) {
                throw new IllegalArgumentException("key must be a JSON object with the key's columns, like {\"id\":4711}");
            }
            Map<String, String> columns = new TreeMap<>();
            node.fields().forEachRemaining(e -> columns.put(e.getKey(), text(e.getValue())));
            return new Query(columns, null);
        }
        try {
            JsonNode node = JSON.readTree(k);
            if (node != null && node.isValueNode()) {
                return new Query(null, text(node));
            }
        } catch (Exception e) {
            // not JSON: the text itself
        }
        return new Query(null, key);
    }

    /** The key of an event's row: its key columns' values in {@code after}, or in {@code before} for a delete. */
    public static Map<String, String> of(JsonNode before, JsonNode after, List<String> keyColumns) {
        if (keyColumns.isEmpty()) {
            return Map.of();
        }
        JsonNode row = after != null && after.isObject() ? after : before;
        if (row == null || !row.isObject()) {
            return Map.of();
        }
        Map<String, String> key = new TreeMap<>();
        for (String column : keyColumns) {
            JsonNode value = row.get(column);
            if (value == null) {
                return Map.of(); // a key column missing: not a key this index can match
            }
            key.put(column, text(value));
        }
        return key;
    }

    /**
     * The key of a tombstone as printed ({@code Struct{id=24}}, Kafka Connect's text of the key,
     * unescaped), read with the table's key columns in key order so that a value holding
     * {@code ,} or {@code =} is read whole.
     */
    public static Map<String, String> ofStruct(String printed, List<String> keyColumns) {
        if (keyColumns.isEmpty() || printed == null || !printed.startsWith(STRUCT) || !printed.endsWith("}")) {
            return Map.of();
        }
        String body = printed.substring(STRUCT.length(), printed.length() - 1);
        Map<String, String> key = new TreeMap<>();
        int at = 0;
        for (int i = 0; i < keyColumns.size(); i++) {
            String prefix = (i == 0 ? "" : ",") + keyColumns.get(i) + "=";
            if (!body.startsWith(prefix, at)) {
                return Map.of();
            }
            int start = at + prefix.length();
            int end;
            if (i == keyColumns.size() - 1) {
                end = body.length();
            } else {
                end = body.indexOf("," + keyColumns.get(i + 1) + "=", start);
                if (end < 0) {
                    return Map.of();
                }
            }
            key.put(keyColumns.get(i), body.substring(start, end));
            at = end;
        }
        return key;
    }

    /** The index's hash of a key (0 for none): FNV-1a over the values in column-name order. */
    public static long hash(Map<String, String> key) {
        return key.isEmpty() ? 0L : hash(new TreeMap<>(key).values());
    }

    static long hash(Iterable<String> values) {
        long h = 0xcbf29ce484222325L;
        boolean first = true;
        for (String v : values) {
            if (!first) {
                h = (h ^ 0) * 0x100000001b3L;
            }
            first = false;
            for (byte b : v.getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
        }
        // 0 means "no key"
        return h == 0 ? 1 : h;
    }

    /** The key as the API shows it: column to value, numbers and JSON values as JSON, strings as strings. */
    public static Map<String, Object> shown(JsonNode row, Map<String, String> key) {
        Map<String, Object> shown = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : key.entrySet()) {
            JsonNode value = row == null ? null : row.get(e.getKey());
            shown.put(e.getKey(), value != null ? value : e.getValue());
        }
        return shown;
    }

    /** A value's text: a string's characters, a number's literal, other JSON compact. */
    static String text(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber()) {
            return value.asText();
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            return value.toString();
        }
    }

    /** Undoes {@code OutputFormat.oneLine}: JSON string escapes, quotes unescaped. */
    public static String unescapeLine(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case '/' -> out.append('/');
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case 'u' -> {
                    if (i + 4 < s.length()) {
                        try {
                            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                            i += 4;
                        } catch (NumberFormatException e) {
                            out.append("\\u");
                        }
                    } else {
                        out.append("\\u");
                    }
                }
                default -> out.append('\\').append(n);
            }
        }
        return out.toString();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
