package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.debezium.data.Envelope;


/**
 * One Debezium change-event envelope ({@code before}, {@code after}, {@code op}, {@code source},
 * {@code ts_ms}, {@code transaction}), whichever way the JsonConverter wrote it: bare, or wrapped
 * as {@code {"schema": ..., "payload": ...}} when {@code value.converter.schemas.enable=true}.
 */
public final class ChangeEvent {

    private static final String SCHEMA = "schema";
    private static final String PAYLOAD = "payload";

    private final JsonNode payload;

    private ChangeEvent(JsonNode payload) {
        this.payload = payload;
    }

    /**
     * Accepts a parsed record value.
     *
     * @throws InvalidChangeEventException when the value is not a JSON object
     */
    public static ChangeEvent of(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new InvalidChangeEventException("value is null: a tombstone is not a change event");
        }
        JsonNode payload = isSchemaEnvelope(value) ? value.get(PAYLOAD) : value;
        if (!payload.isObject()) {
            throw new InvalidChangeEventException("expected a JSON object (a Debezium envelope) but got "
                    + describe(payload));
        }
        ChangeEvent event = new ChangeEvent(payload);
        if (event.opCode() == null) {
            throw new InvalidChangeEventException("not a Debezium change event: the envelope has no \"op\"");
        }
        if (event.operation() == null) {
            throw new InvalidChangeEventException("unknown Debezium operation \"op\": \"" + event.opCode()
                    + "\" (known: r, c, u, d, t, m)");
        }
        return event;
    }

    /** Any JSON object as an envelope, unchecked: for the formatter's own tests. */
    static ChangeEvent unchecked(JsonNode payload) {
        return new ChangeEvent(payload);
    }

    static boolean isSchemaEnvelope(JsonNode value) {
        if (!value.isObject() || value.size() != 2 || !value.has(SCHEMA) || !value.has(PAYLOAD)) {
            return false;
        }
        return value.get(PAYLOAD).isObject();
    }

    private static String describe(JsonNode node) {
        if (node.isArray()) {
            return "a JSON array";
        }
        if (node.isTextual()) {
            return "a JSON string";
        }
        if (node.isBoolean()) {
            return "a JSON boolean";
        }
        if (node.isNull()) {
            return "JSON null";
        }
        return "a JSON number";
    }

    /** The envelope itself, as printed. */
    public JsonNode payload() {
        return payload;
    }

    /** The raw {@code op} code, or null when the envelope has none. */
    public String opCode() {
        JsonNode op = payload.get(Envelope.FieldName.OPERATION);
        return op != null && op.isTextual() ? op.textValue() : null;
    }

    /** The operation, or null when {@code op} is missing or not one Debezium defines. */
    public Envelope.Operation operation() {
        String code = opCode();
        return code == null ? null : Envelope.Operation.forCode(code);
    }

    public JsonNode before() {
        return field(Envelope.FieldName.BEFORE);
    }

    public JsonNode after() {
        return field(Envelope.FieldName.AFTER);
    }

    public JsonNode source() {
        return field(Envelope.FieldName.SOURCE);
    }

    /** {@code ts_ms}: when the connector processed the event, or null. */
    public Long timestampMillis() {
        return ExactJson.longValue(payload.get(Envelope.FieldName.TIMESTAMP));
    }

    private JsonNode field(String name) {
        JsonNode node = payload.get(name);
        return node == null || node.isNull() ? null : node;
    }
}
