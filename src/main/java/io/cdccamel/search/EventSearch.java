package io.cdccamel.search;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Answers a search over the printed history from the {@link SearchIndex}: the records that pass the
 * query's table, op, time and key hash, newest first, each checked by reading its entry from the
 * output file (a record whose entry is gone, changed, or holds another key with the same hash is
 * passed over), a page at a time.
 */
public final class EventSearch {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    private static final Set<String> OPS = Set.of("c", "u", "d", "r", "t", "m", "tombstone");

    /** A request that cannot be answered as asked: a 400 with this reason. */
    public static final class BadQueryException extends IllegalArgumentException {
        public BadQueryException(String message) {
            super(message);
        }
    }

    /**
     * A search. {@code from} inclusive, {@code to} exclusive, in epoch milliseconds; {@code before} a
     * cursor a previous page returned (null: from the newest).
     */
    public record Query(String table, KeyText.Query key, Set<Byte> ops, Long from, Long to, int limit, String before) {

        /** Reads the API's parameters; blank ones are absent. */
        public static Query parse(Map<String, String> params) {
            String table = blank(params.get("table"));
            String keyParam = params.get("key");
            KeyText.Query key = null;
            if (keyParam != null && !keyParam.isBlank()) {
                try {
                    key = KeyText.parse(keyParam);
                } catch (IllegalArgumentException e) {
                    throw new BadQueryException(e.getMessage());
                }
            }
            Set<Byte> ops = null;
            String opParam = blank(params.get("op"));
            if (opParam != null) {
                ops = new LinkedHashSet<>();
                for (String op : opParam.split(",")) {
                    String o = op.strip();
                    if (!OPS.contains(o)) {
                        throw new BadQueryException("op " + quoted(o) + " is not one of c, u, d, r, t, m, tombstone "
                                + "(several: op=u,d)");
                    }
                    ops.add(o.equals("tombstone") ? SearchIndex.TOMBSTONE : (byte) o.charAt(0));
                }
            }
            Long from = instant("from", params.get("from"));
            Long to = instant("to", params.get("to"));
            if (from != null && to != null && from >= to) {
                throw new BadQueryException("from must be before to");
            }
            int limit = DEFAULT_LIMIT;
            String limitParam = blank(params.get("limit"));
            if (limitParam != null) {
                try {
                    limit = Integer.parseInt(limitParam);
                } catch (NumberFormatException e) {
                    throw new BadQueryException("limit " + quoted(limitParam) + " is not a number (1 to " + MAX_LIMIT + ")");
                }
                if (limit < 1 || limit > MAX_LIMIT) {
                    throw new BadQueryException("limit must be 1 to " + MAX_LIMIT + ", not " + limit);
                }
            }
            return new Query(table, key, ops, from, to, limit, blank(params.get("before")));
        }

        private static Long instant(String name, String value) {
            String v = blank(value);
            if (v == null) {
                return null;
            }
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new BadQueryException(name + " " + quoted(v) + " is not an ISO-8601 instant like 2026-12-05T07:30:00Z");
            }
        }
    }

    /** A page of hits, newest first; {@code next} the cursor of the page after it, or null when none. */
    public record Page(List<Map<String, Object>> events, String next, long indexed) {
    }

    private final OutputIndexer indexer;

    public EventSearch(OutputIndexer indexer) {
        this.indexer = indexer;
    }

    /**
     * @throws BadQueryException for a cursor of another index or not one at all
     * @throws IllegalStateException when there is no index yet
     */
    public Page search(Query q) throws IOException {
        SearchIndex index = indexer.index();
        if (index == null) {
            throw new IllegalStateException("The search index is not open yet" + (indexer.failure() == null ? ""
                    : ": " + indexer.failure()));
        }
        long before = q.before() == null ? index.count() : cursor(q.before(), index);
        Set<Integer> tables = null;
        if (q.table() != null) {
            tables = new TreeSet<>();
            for (SearchIndex.Table t : index.tables()) {
                if (t.name().equals(q.table()) || t.topic().equals(q.table())) {
                    tables.add(t.id());
                }
            }
            if (tables.isEmpty()) {
                return new Page(List.of(), null, index.count());
            }
        }
        Set<Integer> wantedTables = tables;
        long keyHash = q.key() == null ? 0 : q.key().hash();
        Long from = q.from();
        Long to = q.to();
        Set<Byte> ops = q.ops();
        SearchIndex.Filter filter = (op, table, ts, hash) -> (wantedTables == null || wantedTables.contains(table))
                && (ops == null || ops.contains(op))
                && (q.key() == null || hash == keyHash)
                && (from == null || ts >= from) && (to == null || ts < to);
        List<Map<String, Object>> hits = new ArrayList<>();
        long[] last = {-1};
        boolean[] more = {false};
        Map<Integer, FileChannel> channels = new HashMap<>();
        Set<String> shown = new java.util.HashSet<>();
        try {
            index.scan(before, filter, entry -> {
                Map<String, Object> hit = verified(index, entry, q.key(), channels);
                // an entry the indexer read twice (its file cut back and written again by the app) shows once
                if (hit == null || !shown.add(entry.file() + ":" + entry.offset())) {
                    return true;
                }
                if (hits.size() == q.limit()) {
                    more[0] = true;
                    return false;
                }
                hits.add(hit);
                last[0] = entry.position();
                return true;
            });
        } finally {
            for (FileChannel c : channels.values()) {
                c.close();
            }
        }
        return new Page(hits, more[0] ? cursor(index, last[0]) : null, index.count());
    }

    /** The hit as the API shows it, when the entry at the record's place is the record's event; else null. */
    private Map<String, Object> verified(SearchIndex index, SearchIndex.Entry entry, KeyText.Query key,
                                         Map<Integer, FileChannel> channels) throws IOException {
        SearchIndex.FileState file = index.file(entry.file());
        SearchIndex.Table table = index.table(entry.table());
        if (file == null || table == null) {
            return null;
        }
        FileChannel channel = channels.get(file.id());
        if (channel == null && file.name().startsWith(OutputIndexer.GONE)) {
            return null;
        }
        if (channel == null) {
            Path path = indexer.outputDir().resolve(file.name());
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null; // deleted (a rotated file removed): its events are no longer in the output
            }
            channels.put(file.id(), channel);
        }
        PrintedEntries.Raw raw = PrintedEntries.at(channel, entry.offset());
        if (raw == null || !raw.entry().topic().equals(table.topic())) {
            return null;
        }
        JsonNode envelope = EventFacts.envelope(raw);
        EventFacts facts = EventFacts.of(raw, envelope, table.keyColumns(), entry.ts());
        if (facts.op() != entry.op() || facts.ts() != entry.ts() || facts.keyHash() != entry.keyHash()) {
            return null; // the file changed under the record
        }
        if (key != null && !key.matches(facts.key())) {
            return null; // another key with the same hash
        }
        return hit(raw, table, facts, file);
    }

    static Map<String, Object> hit(PrintedEntries.Raw raw, SearchIndex.Table table, EventFacts facts, SearchIndex.FileState file) {
        Map<String, Object> hit = new LinkedHashMap<>();
        hit.put("topic", raw.entry().topic());
        hit.put("partition", raw.entry().partition());
        hit.put("offset", raw.entry().offset());
        hit.put("table", table.name());
        hit.put("op", EventFacts.opName(facts.op()));
        hit.put("ts", Instant.ofEpochMilli(facts.ts()).toString());
        hit.put("ts_ms", facts.ts());
        JsonNode envelope = facts.envelope();
        JsonNode row = envelope == null ? null
                : envelope.path("after").isObject() ? envelope.get("after") : envelope.get("before");
        hit.put("key", facts.key().isEmpty() ? null : KeyText.shown(row, facts.key()));
        if (envelope == null) {
            hit.put("printedKey", raw.tombstoneKey());
        }
        List<String> changed = changed(envelope);
        hit.put("changed", changed);
        hit.put("columns", columns(envelope, changed));
        hit.put("envelope", envelope);
        hit.put("printed", envelope == null ? null : io.cdccamel.events.GoJsonWriter.write(envelope));
        hit.put("file", file.name());
        hit.put("byte", raw.start());
        return hit;
    }

    /**
     * Each column of {@code before} and {@code after} with its value as the JSON text printed (exact: a
     * page's {@code JSON.parse} would round numbers past 2^53), null where the side has none.
     */
    static List<Map<String, Object>> columns(JsonNode envelope, List<String> changed) {
        if (envelope == null) {
            return List.of();
        }
        JsonNode before = envelope.get("before");
        JsonNode after = envelope.get("after");
        Set<String> names = new java.util.LinkedHashSet<>();
        if (before != null && before.isObject()) {
            before.fieldNames().forEachRemaining(names::add);
        }
        if (after != null && after.isObject()) {
            after.fieldNames().forEachRemaining(names::add);
        }
        List<Map<String, Object>> columns = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", name);
            column.put("before", before != null && before.has(name) ? compact(before.get(name)) : null);
            column.put("after", after != null && after.has(name) ? compact(after.get(name)) : null);
            column.put("changed", changed != null && changed.contains(name));
            columns.add(column);
        }
        return columns;
    }

    private static String compact(JsonNode value) {
        try {
            return PrintedEntries.JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return value.toString();
        }
    }

    /**
     * The columns whose value differs between {@code before} and {@code after}: for an insert every
     * column of {@code after}, for a delete every column of {@code before}; for an update without
     * {@code before} (a table without {@code REPLICA IDENTITY FULL}) none can be told: null.
     */
    static List<String> changed(JsonNode envelope) {
        if (envelope == null) {
            return List.of();
        }
        JsonNode before = envelope.get("before");
        JsonNode after = envelope.get("after");
        boolean hasBefore = before != null && before.isObject();
        boolean hasAfter = after != null && after.isObject();
        if (!hasBefore && !hasAfter) {
            return List.of();
        }
        if (!hasBefore && "u".equals(envelope.path("op").asText())) {
            return null;
        }
        Set<String> names = new TreeSet<>();
        if (hasBefore) {
            before.fieldNames().forEachRemaining(names::add);
        }
        if (hasAfter) {
            after.fieldNames().forEachRemaining(names::add);
        }
        List<String> changed = new ArrayList<>();
        for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
            String name = it.next();
            JsonNode b = hasBefore ? before.get(name) : null;
            JsonNode a = hasAfter ? after.get(name) : null;
            if (b == null || a == null || !b.equals(a)) {
                changed.add(name);
            }
        }
        return changed;
    }

    // ---- cursor: opaque to users, "<index generation>:<record position>" in base64url ------------------

    static String cursor(SearchIndex index, long position) {
        String plain = "v1:" + Long.toHexString(index.generation()) + ":" + position;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    static long cursor(String cursor, SearchIndex index) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("before " + quoted(cursor) + " is not a cursor this API returned");
        }
        String[] parts = plain.split(":");
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new BadQueryException("before " + quoted(cursor) + " is not a cursor this API returned");
        }
        if (!parts[1].equals(Long.toHexString(index.generation()))) {
            throw new BadQueryException("before is a cursor of an earlier search index (it was rebuilt since): search again "
                    + "without before");
        }
        try {
            long position = Long.parseLong(parts[2]);
            if (position < 0 || position > index.count()) {
                throw new NumberFormatException();
            }
            return position;
        } catch (NumberFormatException e) {
            throw new BadQueryException("before " + quoted(cursor) + " is not a cursor this API returned");
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String quoted(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "\"" + io.cdccamel.events.OutputFormat.oneLine(shown) + "\"";
    }
}
