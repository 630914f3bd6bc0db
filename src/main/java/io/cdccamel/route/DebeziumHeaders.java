package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ExactJson;
import org.apache.camel.Message;
import org.apache.camel.component.debezium.DebeziumConstants;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * The headers Camel's own {@code debezium-*} consumers set, on a record's message, so that a
 * route splitting a poll's records can filter on {@code ${header.CamelDebeziumOperation}}.
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

    /** The object as a map, converted on first use: most routes never read these headers. */
    private static Map<String, Object> asMap(JsonNode node) {
        return node == null || !node.isObject() ? null : new LazyMap(node);
    }

    private static final class LazyMap extends AbstractMap<String, Object> {
        private final JsonNode node;
        private Map<String, Object> map;

        LazyMap(JsonNode node) {
            this.node = node;
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> map() {
            if (map == null) {
                map = (Map<String, Object>) ExactJson.toJava(node);
            }
            return map;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return map().entrySet();
        }

        @Override
        public Object get(Object key) {
            return map().get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map().containsKey(key);
        }
    }
}
