package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdccamel.events.OutputFormat;
import io.cdccamel.store.PositionsJournal.Position;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the route's steps left for the write step to write, when it is not the read step's list
 * untouched: a JSON array of change events (a Jackson {@code ArrayNode}, or a list of
 * {@code JsonNode}s or maps), each with its record's position in a {@code kafka} object
 * ({@code topic}, {@code partition}, {@code offset}), as {@link ChangeEventBatch#envelopes} gave them;
 * and how to write them: {@value WriteChangeEvents#FORMAT} ({@code go}, the default, or
 * {@code json-lines}) and {@value WriteChangeEvents#FILE_NAME} (a file-name template) from the
 * exchange's properties.
 * <p>
 * An event of the batch that no element carries was filtered out by a step; an element whose
 * position is not one of the batch's new events is the step's mistake ({@link StepOutputException}):
 * Camel cannot tell which record it belongs to, so it is never guessed.
 */
final class StepOutput {

    static final String GO = "go";
    static final String JSON_LINES = "json-lines";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Set<String> PLACEHOLDERS = Set.of("topic", "schema", "table", "date");

    private final Map<Position, List<ObjectNode>> byPosition;
    private final boolean jsonLines;
    private final String fileNameTemplate;
    private final ObjectMapper mapper;

    private StepOutput(Map<Position, List<ObjectNode>> byPosition, boolean jsonLines, String fileNameTemplate, ObjectMapper mapper) {
        this.byPosition = byPosition;
        this.jsonLines = jsonLines;
        this.fileNameTemplate = fileNameTemplate;
        this.mapper = mapper;
    }

    /** Null when the body is the read step's list untouched and the default format and files are asked: written as read, the fast way. */
    static StepOutput of(Exchange exchange, ChangeEventBatch batch, ObjectMapper mapper) {
        String format = exchange.getProperty(WriteChangeEvents.FORMAT, GO, String.class).trim();
        if (!format.equals(GO) && !format.equals(JSON_LINES)) {
            throw new StepOutputException("Exchange property " + WriteChangeEvents.FORMAT + " is '" + format
                    + "': the write step writes '" + GO + "' (the Go tutorial's format, the default) or '" + JSON_LINES + "'");
        }
        String template = exchange.getProperty(WriteChangeEvents.FILE_NAME, String.class);
        if (template != null) {
            checkTemplate(template);
        }
        Object body = exchange.getMessage().getBody();
        boolean untouched = batch.isUntouched(body);
        if (untouched && format.equals(GO) && template == null) {
            return null;
        }
        if (!untouched && !batch.hasEvents()) {
            // no change event to pick from (all written before, tombstones, dead letters): the body has nothing to say
            body = batch.records();
        }
        JsonNode array = batch.isUntouched(body) ? batch.envelopes(mapper.getNodeFactory()) : asJson(body, mapper);
        return new StepOutput(index(array, batch), format.equals(JSON_LINES), template, mapper);
    }

    private static JsonNode asJson(Object body, ObjectMapper mapper) {
        if (body instanceof ChangeEventBatch.Records records) {
            return records.envelopes(mapper.getNodeFactory()); // another batch's list: its positions are refused below
        }
        if (body instanceof JsonNode node) {
            return node;
        }
        if (body instanceof Collection<?> list) {
            ArrayNode array = mapper.createArrayNode();
            for (Object element : list) {
                array.add(element instanceof JsonNode node ? node : mapper.valueToTree(element));
            }
            return array;
        }
        throw new StepOutputException("the steps before " + WriteChangeEvents.WRITE + " left "
                + (body == null ? "no body (null)" : "a " + body.getClass().getName())
                + ": the write step writes the read step's list of change events, or a JSON array of them (each with its "
                + "\"kafka\" position, as the list converted to JSON has it); to write nothing of a batch, leave an empty array");
    }

    private static Map<Position, List<ObjectNode>> index(JsonNode array, ChangeEventBatch batch) {
        if (!array.isArray()) {
            throw new StepOutputException("the steps before " + WriteChangeEvents.WRITE + " left a JSON "
                    + array.getNodeType().toString().toLowerCase() + ", not an array of change events");
        }
        Set<Position> events = new HashSet<>();
        for (int i = 0; i < batch.itemCount(); i++) {
            ChangeEventBatch.Item item = batch.item(i);
            if (item.read() instanceof ChangeEventBatch.Event) {
                events.add(new Position(item.topic(), item.partition(), item.offset()));
            }
        }
        Map<Position, List<ObjectNode>> byPosition = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            Position position = position(element, i);
            if (!events.contains(position)) {
                throw new StepOutputException("element " + i + " of the body has position " + position
                        + ", which is no change event of this batch: a step made up or changed its \""
                        + WriteChangeEvents.KAFKA + "\" field");
            }
            byPosition.computeIfAbsent(position, p -> new ArrayList<>(1)).add((ObjectNode) element);
        }
        return byPosition;
    }

    private static Position position(JsonNode element, int index) {
        if (!element.isObject()) {
            throw new StepOutputException("element " + index + " of the body is a JSON " + element.getNodeType().toString().toLowerCase()
                    + ", not a change event (an object)");
        }
        JsonNode kafka = element.get(WriteChangeEvents.KAFKA);
        if (kafka == null || !kafka.path("topic").isTextual() || !kafka.path("partition").canConvertToInt()
                || !kafka.path("offset").canConvertToLong()) {
            throw new StepOutputException("element " + index + " of the body has no \"" + WriteChangeEvents.KAFKA
                    + "\" object with its record's topic, partition and offset: a step removed or replaced it (keep it: "
                    + "the write step prints the header and journals the record by it)");
        }
        return new Position(kafka.get("topic").asText(), kafka.get("partition").asInt(), kafka.get("offset").asLong());
    }

    private static void checkTemplate(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new StepOutputException("Exchange property " + WriteChangeEvents.FILE_NAME + " '" + template
                        + "' has an unknown placeholder {" + m.group(1) + "} (known: {topic}, {schema}, {table}, {date})");
            }
        }
        String sample = PLACEHOLDER.matcher(template).replaceAll("x");
        if (!sample.endsWith(OutputFormat.FILE_SUFFIX) || sample.contains("/") || sample.contains("\\") || sample.startsWith(".")
                || sample.equals(OutputFormat.DEAD_LETTER_FILE)) {
            throw new StepOutputException("Exchange property " + WriteChangeEvents.FILE_NAME + " '" + template
                    + "' must name a file in the output folder ending with " + OutputFormat.FILE_SUFFIX
                    + " (the journal and the cut-back after a crash cover those), without / and not " + OutputFormat.DEAD_LETTER_FILE);
        }
    }

    /** The elements a step left for this event's record; empty when a step filtered it out. */
    List<ObjectNode> elements(String topic, int partition, long offset) {
        return byPosition.getOrDefault(new Position(topic, partition, offset), List.of());
    }

    boolean jsonLines() {
        return jsonLines;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** The file an entry goes to: the topic's, or the template's with the element's topic, schema, table and day. */
    String fileName(String topic, JsonNode element) {
        if (fileNameTemplate == null) {
            return OutputFormat.fileName(topic);
        }
        String[] segments = topic.split("\\.");
        JsonNode source = element == null ? null : element.path("source");
        Matcher m = PLACEHOLDER.matcher(fileNameTemplate);
        StringBuilder name = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "topic" -> topic;
                case "schema" -> source != null && source.path("schema").isTextual() ? source.get("schema").asText()
                        : segments.length >= 2 ? segments[segments.length - 2] : "";
                case "table" -> source != null && source.path("table").isTextual() ? source.get("table").asText()
                        : segments[segments.length - 1];
                default -> day(element); // date
            };
            m.appendReplacement(name, Matcher.quoteReplacement(safe(value)));
        }
        m.appendTail(name);
        return name.toString();
    }

    /** The UTC day of the change ({@code ts_ms}, else the source's), else today's. */
    private static String day(JsonNode element) {
        long millis = System.currentTimeMillis();
        if (element != null && element.path("ts_ms").canConvertToLong()) {
            millis = element.get("ts_ms").asLong();
        } else if (element != null && element.path("source").path("ts_ms").canConvertToLong()) {
            millis = element.get("source").get("ts_ms").asLong();
        }
        return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    /** A schema or table name as part of a file name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
    private static String safe(String value) {
        String s = value.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    /** The write step's element is the step's mistake: the batch fails, is retried, then dead-lettered with this reason. */
    static final class StepOutputException extends IllegalArgumentException {
        StepOutputException(String message) {
            super(message);
        }
    }
}
