package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ExactJson;
import org.apache.camel.Message;
import org.apache.camel.component.debezium.DebeziumConstants;

import java.util.Map;

/**
 * The headers Camel's own {@code debezium-*} consumers set, on a record's message, so that a
 * route splitting a poll's records can filter on {@code ${header.CamelDebeziumOperation}}. Set only
 * when such a route reads the record ({@link ChangeEventBatch#records()}).
 */
final class DebeziumHeaders {

    private DebeziumHeaders() {
    }

    static void apply(Message record, String topic, Object key, ChangeEvent event) {
        record.setHeader(DebeziumConstants.HEADER_IDENTIFIER, topic);
        record.setHeader(DebeziumConstants.HEADER_KEY, key);
        record.setHeader(DebeziumConstants.HEADER_OPERATION, event.opCode());
        record.setHeader(DebeziumConstants.HEADER_TIMESTAMP, event.timestampMillis());
        record.setHeader(DebeziumConstants.HEADER_BEFORE, asMap(event.before()));
        record.setHeader(DebeziumConstants.HEADER_SOURCE_METADATA, asMap(event.source()));
        record.setBody(event);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node) {
        return node == null || !node.isObject() ? null : (Map<String, Object>) ExactJson.toJava(node);
    }
}
