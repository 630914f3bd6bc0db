package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ExactJson;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;

import java.util.Map;

/**
 * Turns the unmarshalled value into a {@link ChangeEvent} and sets the headers Camel's own
 * {@code debezium-*} consumers set, so a YAML route can filter on {@code ${header.CamelDebeziumOperation}}.
 */
public class DebeziumHeaders implements Processor {


    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        ChangeEvent event = ChangeEvent.of(in.getBody(JsonNode.class));
        in.setHeader(DebeziumConstants.HEADER_IDENTIFIER, in.getHeader(KafkaConstants.TOPIC));
        in.setHeader(DebeziumConstants.HEADER_KEY, in.getHeader(KafkaConstants.KEY));
        in.setHeader(DebeziumConstants.HEADER_OPERATION, event.opCode());
        in.setHeader(DebeziumConstants.HEADER_TIMESTAMP, event.timestampMillis());
        in.setHeader(DebeziumConstants.HEADER_BEFORE, asMap(event.before()));
        in.setHeader(DebeziumConstants.HEADER_SOURCE_METADATA, asMap(event.source()));
        in.setBody(event);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node) {
        return node == null || !node.isObject() ? null : (Map<String, Object>) ExactJson.toJava(node);
    }
}
