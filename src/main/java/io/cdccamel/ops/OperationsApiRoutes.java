package io.cdccamel.ops;

import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiReplies;
import io.cdccamel.api.ApiRestRoutes;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

import java.util.Map;

/**
 * The operations API: what the tutorial did with {@code kafka-topics} and {@code docker stop}, with
 * no Kafka CLI. Its paths are declared in {@link ApiRestRoutes}, which calls these
 * routes by their ids ({@code direct:<id>}).
 */
public class OperationsApiRoutes extends RouteBuilder {

    public static final String LIST_TOPICS = ApiRestRoutes.LIST_TOPICS;
    public static final String DESCRIBE_TOPIC = ApiRestRoutes.DESCRIBE_TOPIC;
    public static final String CONTROL_BROKER = ApiRestRoutes.CONTROL_BROKER;
    static final String JSON = ApiReplies.JSON;
    static final String TEXT = "text/plain";

    private final KafkaTopics topics;
    private final BrokerControl control;

    public OperationsApiRoutes(KafkaTopics topics, BrokerControl control) {
        this.topics = topics;
        this.control = control;
    }

    @Override
    public void configure() {
        from("direct:" + LIST_TOPICS)
            .routeId(LIST_TOPICS)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(e -> reply(e, 200, topics.list()));

        from("direct:" + DESCRIBE_TOPIC)
            .routeId(DESCRIBE_TOPIC)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(this::describe);

        from("direct:" + CONTROL_BROKER)
            .routeId(CONTROL_BROKER)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(this::controlBroker);
    }

    private void describe(Exchange exchange) throws Exception {
        String name = exchange.getMessage().getHeader("name", String.class);
        KafkaTopics.TopicView view;
        try {
            view = topics.describe(name);
        } catch (KafkaTopics.NoSuchTopicException e) {
            reply(exchange, 404, Map.of("error", e.getMessage()));
            return;
        }
        String accept = exchange.getMessage().getHeader("Accept", "", String.class);
        if (accept.contains(TEXT) && !accept.contains(JSON)) {
            Message out = exchange.getMessage();
            out.removeHeaders("*");
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, TEXT);
            out.setBody(view.toText());
        } else {
            // the one path without the JSON binding (it answers text too): written here
            Message out = exchange.getMessage();
            out.removeHeaders("*");
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setHeader(Exchange.CONTENT_TYPE, JSON);
            out.setBody(ApiReplies.written(view));
        }
    }

    private void controlBroker(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String action = in.getHeader("action", String.class);
        String idText = in.getHeader("id", String.class);
        if (control.brokerIds().isEmpty()) {
            reply(exchange, 409, Map.of("error", "Brokers can be stopped and started here in embedded mode only; "
                    + "with docker-compose use: docker " + action + " kafka-<n>"));
            return;
        }
        int id;
        try {
            id = Integer.parseInt(idText);
        } catch (NumberFormatException e) {
            reply(exchange, 404, Map.of("error", "No broker " + idText + "; brokers are " + control.brokerIds()));
            return;
        }
        if (!control.brokerIds().contains(id)) {
            reply(exchange, 404, Map.of("error", "No broker " + id + "; brokers are " + control.brokerIds()));
            return;
        }
        boolean changed;
        if ("stop".equals(action)) {
            changed = control.stop(id);
        } else if ("start".equals(action)) {
            changed = control.start(id);
        } else {
            reply(exchange, 404, Map.of("error", "Unknown action " + action + ": use stop or start"));
            return;
        }
        String state = "stop".equals(action) ? "stopped" : "running";
        log.info("Broker {} {} through the API", id, changed ? state : "was already " + state);
        reply(exchange, 200, Map.of("broker", id, "state", state, "changed", changed));
    }

    private static void reply(Exchange exchange, int status, Object body) {
        ApiReplies.reply(exchange, status, body);
    }
}
