package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.data.Envelope;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Ready-made edits of a batch's change events, for the YAML route's steps: bean {@value #BEAN}, each
 * method taking the body as a JSON array ({@link ChangeEventBatch#envelopes}) and returning it
 * edited, e.g. {@code method: "dropOperations(${body}, 'd')"}. Lists of names are comma-separated.
 * An event left out here is counted as filtered by the write step and committed all the same.
 */
public class ChangeEventEdits {

    /** The bean's name in the registry, as the YAML route refers to it. */
    public static final String BEAN = "changeEvents";

    /** Leaves out the events of these operations ({@code r}, {@code c}, {@code u}, {@code d}, {@code t}, {@code m}). */
    public ArrayNode dropOperations(ArrayNode events, String operations) {
        Set<String> ops = names(operations);
        for (String op : ops) {
            if (Arrays.stream(Envelope.Operation.values()).noneMatch(o -> o.code().equals(op))) {
                throw new IllegalArgumentException("dropOperations: unknown operation '" + op + "' (known: r, c, u, d, t, m)");
            }
        }
        return remove(events, e -> ops.contains(e.path("op").asText()));
    }

    /** Leaves out the events of these tables, each {@code table} or {@code schema.table} (as in the event's {@code source}). */
    public ArrayNode dropTables(ArrayNode events, String tables) {
        Set<String> names = names(tables);
        return remove(events, e -> {
            JsonNode source = e.path("source");
            String table = source.path("table").asText();
            return names.contains(table) || names.contains(source.path("schema").asText() + "." + table);
        });
    }

    /** Replaces the value of these columns, in {@code before} and {@code after}, where present and not null. */
    public ArrayNode mask(ArrayNode events, String columns, String replacement) {
        Set<String> names = names(columns);
        for (JsonNode event : events) {
            for (String image : new String[] {"before", "after"}) {
                if (event.path(image) instanceof ObjectNode row) {
                    for (String column : names) {
                        JsonNode value = row.get(column);
                        if (value != null && !value.isNull()) {
                            row.put(column, replacement);
                        }
                    }
                }
            }
        }
        return events;
    }

    /** Removes these columns from {@code before} and {@code after}. */
    public ArrayNode removeColumns(ArrayNode events, String columns) {
        Set<String> names = names(columns);
        for (JsonNode event : events) {
            for (String image : new String[] {"before", "after"}) {
                if (event.path(image) instanceof ObjectNode row) {
                    row.remove(names);
                }
            }
        }
        return events;
    }

    /** Adds a field with a text value to each event's envelope. */
    public ArrayNode addField(ArrayNode events, String name, String value) {
        if (name == null || name.isBlank() || name.equals(WriteChangeEvents.KAFKA)) {
            throw new IllegalArgumentException("addField: a field name other than '" + WriteChangeEvents.KAFKA + "' is needed, not '" + name + "'");
        }
        for (JsonNode event : events) {
            if (event instanceof ObjectNode envelope) {
                envelope.put(name, value);
            }
        }
        return events;
    }

    private static ArrayNode remove(ArrayNode events, java.util.function.Predicate<JsonNode> drop) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (drop.test(events.get(i))) {
                events.remove(i);
            }
        }
        return events;
    }

    private static Set<String> names(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("a comma-separated list of names is needed, not '" + list + "'");
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
