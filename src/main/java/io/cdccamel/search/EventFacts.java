package io.cdccamel.search;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the index keeps of a printed entry, read from the entry itself: the op, the time, the key.
 * The indexer and the search's check of each hit read it the same way, here.
 *
 * @param ts       the event's {@code source.ts_ms} (when PostgreSQL committed the change; for a snapshot
 *                 read, when it was read), or the envelope's {@code ts_ms} when the source has none; a
 *                 tombstone carries no time and gets the time of the entry before it in its file
 * @param envelope null for a tombstone
 */
public record EventFacts(byte op, String tableName, long ts, Map<String, String> key, JsonNode envelope) {

    /** The table's name as the index names it: {@code source.schema.source.table}, or the topic without its prefix. */
    public static String tableName(String topic, JsonNode envelope) {
        JsonNode source = envelope == null ? null : envelope.get("source");
        if (source != null && source.path("schema").isTextual() && source.path("table").isTextual()) {
            return source.get("schema").textValue() + "." + source.get("table").textValue();
        }
        int dot = topic.indexOf('.');
        return dot < 0 ? topic : topic.substring(dot + 1);
    }

    /** The envelope of an event entry, or null for a tombstone. */
    public static JsonNode envelope(PrintedEntries.Raw raw) throws IOException {
        return raw.tombstone() ? null : raw.envelope();
    }

    /** The facts of an entry whose envelope is read ({@link #envelope}), with its table's key columns. */
    public static EventFacts of(PrintedEntries.Raw raw, JsonNode envelope, List<String> keyColumns, long previousTs) {
        if (envelope == null) {
            return new EventFacts(SearchIndex.TOMBSTONE, tableName(raw.entry().topic(), null), previousTs,
                    KeyText.ofStruct(raw.tombstoneKey(), keyColumns), null);
        }
        String op = envelope.path("op").asText("");
        Long ts = io.cdccamel.events.ExactJson.longValue(envelope.path("source").get("ts_ms"));
        if (ts == null) {
            ts = io.cdccamel.events.ExactJson.longValue(envelope.get("ts_ms"));
        }
        JsonNode before = envelope.get("before");
        JsonNode after = envelope.get("after");
        return new EventFacts(op.length() == 1 ? (byte) op.charAt(0) : (byte) '?', tableName(raw.entry().topic(), envelope),
                ts == null ? previousTs : ts, KeyText.of(before, after, keyColumns), envelope);
    }

    public long keyHash() {
        return KeyText.hash(key);
    }

    /** An op byte as the API names it. */
    public static String opName(byte op) {
        return op == SearchIndex.TOMBSTONE ? "tombstone" : String.valueOf((char) op);
    }
}
