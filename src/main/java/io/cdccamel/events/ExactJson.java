package io.cdccamel.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Deque;

/**
 * The one {@link ObjectMapper} of the application: reads JSON into a tree whose numbers keep the
 * exact text they arrived with (Debezium's {@code ts_ns} exceeds 2^53; a double would round it).
 */
public final class ExactJson {

    private ExactJson() {
    }

    /** A mapper whose {@code JsonNode} deserializer keeps number literals verbatim. */
    public static ObjectMapper newObjectMapper() {
        SimpleModule module = new SimpleModule("cdc-exact-numbers");
        module.addDeserializer(JsonNode.class, new ExactTreeDeserializer());
        // a string value is as long as the row's column: Kafka's record limit bounds it (stack/RecordLimits),
        // not Jackson's default of 20,000,000 characters (a 50 MB text row went to the dead letters)
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();
        return new ObjectMapper(factory).registerModule(module);
    }

    /** The literal of a number node read by this mapper, or null when the node is no such number. */
    static String numberLiteral(JsonNode node) {
        if (node instanceof ExactNumberNode exact) {
            return exact.literal();
        }
        if (node.isNumber()) {
            return node.asText();
        }
        return null;
    }

    /**
     * The tree as plain Java values (maps, lists, strings, numbers, booleans, null); numbers as
     * Long, BigInteger or BigDecimal, never rounded through double.
     */
    public static Object toJava(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), toJava(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.elements().forEachRemaining(e -> list.add(toJava(e)));
            return list;
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    /** Parses a number node of this mapper as a long, or returns null. */
    public static Long longValue(JsonNode node) {
        if (node == null) {
            return null;
        }
        String literal = numberLiteral(node);
        if (literal == null) {
            return null;
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Builds the tree iteratively (an explicit stack, not recursion), so that depth is bounded by
     * Jackson's own nesting limit and never by the thread's stack.
     */
    static final class ExactTreeDeserializer extends JsonDeserializer<JsonNode> {

        @Override
        public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNodeFactory f = ctxt.getNodeFactory();
            Deque<ContainerNode<?>> stack = new ArrayDeque<>();
            Deque<String> names = new ArrayDeque<>();
            JsonToken t = p.currentToken();
            JsonNode root = null;
            while (t != null) {
                JsonNode value = null;
                switch (t) {
                    case START_OBJECT -> stack.push(f.objectNode());
                    case START_ARRAY -> stack.push(f.arrayNode());
                    case FIELD_NAME -> names.push(p.currentName());
                    case END_OBJECT, END_ARRAY -> value = stack.pop();
                    case VALUE_STRING -> value = f.textNode(p.getText());
                    case VALUE_NUMBER_INT -> value = new ExactNumberNode(p.getText(), true);
                    case VALUE_NUMBER_FLOAT -> value = new ExactNumberNode(p.getText(), false);
                    case VALUE_TRUE -> value = f.booleanNode(true);
                    case VALUE_FALSE -> value = f.booleanNode(false);
                    case VALUE_NULL -> value = f.nullNode();
                    case VALUE_EMBEDDED_OBJECT -> value = f.pojoNode(p.getEmbeddedObject());
                    default -> throw new IOException("Unexpected JSON token " + t);
                }
                if (value != null) {
                    ContainerNode<?> parent = stack.peek();
                    if (parent == null) {
                        root = value;
                        break;
                    } else if (parent instanceof ObjectNode object) {
                        object.set(names.pop(), value);
                    } else {
                        ((ArrayNode) parent).add(value);
                    }
                }
                t = p.nextToken();
            }
            if (root == null) {
                throw new IOException("Truncated JSON: input ended inside a value");
            }
            return root;
        }
    }
}
