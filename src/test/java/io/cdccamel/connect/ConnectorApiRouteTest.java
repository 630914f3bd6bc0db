package io.cdccamel.connect;

import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.ConnectSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.connect.ScriptedHttp.Answer;
import io.cdccamel.testing.RouteTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route {@code show-connector} ({@code GET /api/connector}) with the API's error policy, fed from
 * {@code direct:} instead of the HTTP server, against scripted Connect answers.
 */
class ConnectorApiRouteTest extends RouteTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String REQUEST = "direct:" + ConnectorApiRoute.ROUTE_ID;

    private final ConnectorDefinition definition = ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of());
    private final ConnectorRegistration registration = new ConnectorRegistration(definition, () -> { }, 2, 100);
    private volatile Answer status;

    @Override
    protected Map<String, String> properties() {
        return Map.of("cdc.connect.url", "http://localhost:8083");
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() {
        return new RoutesBuilder[] {new ApiErrorPolicy(), new ConnectorApiRoute(new ConnectApi(context, definition, SettingsReader.read(context, ConnectSettings::read)), registration)};
    }

    private Exchange get() throws Exception {
        AdviceWith.adviceWith(context, ConnectorApiRoute.ROUTE_ID, a -> a.replaceFromWith(REQUEST));
        ScriptedHttp.install(context, (call, body) -> call.equals("GET /connectors/product_connector/status") ? status
                : new Answer(404, "{\"error_code\":404,\"message\":\"no such call " + call + "\"}"));
        context.start();
        return template.request(REQUEST, e -> e.getMessage().setHeader("Host", "127.0.0.1:8090"));
    }

    @Test
    void shouldShowConnectsStatusWithWhatRegistrationLastSaw() throws Exception {
        status = new Answer(200, "{\"name\":\"product_connector\",\"connector\":{\"state\":\"RUNNING\",\"worker_id\":\"w\"},"
                + "\"tasks\":[{\"id\":0,\"state\":\"RUNNING\",\"worker_id\":\"w\"}],\"type\":\"source\"}");

        Exchange reply = get();

        assertThat(reply.getMessage().getHeaders()).containsOnly(Map.entry(Exchange.HTTP_RESPONSE_CODE, 200),
                Map.entry(Exchange.CONTENT_TYPE, "application/json"));
        JsonNode body = MAPPER.readTree(reply.getMessage().getBody(String.class));
        assertThat(body.path("name").asText()).isEqualTo("product_connector");
        assertThat(body.path("registration").asText()).isEqualTo("STARTING");
        assertThat(body.path("status").path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void shouldAnswer503WithConnectsMessageWhileConnectHasNoStatus() throws Exception {
        status = new Answer(404, "{\"error_code\":404,\"message\":\"No status found for connector product_connector\"}");

        Exchange reply = get();

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        JsonNode body = MAPPER.readTree(reply.getMessage().getBody(String.class));
        assertThat(body.path("error").asText()).isEqualTo("Kafka Connect answered 404: No status found for connector product_connector");
        assertThat(body.path("name").asText()).isEqualTo("product_connector");
    }

    @Test
    void shouldAnswer503WithTheReasonNotAStackTraceWhenConnectDoesNotAnswer() throws Exception {
        status = new Answer(null, null);

        Exchange reply = get();

        assertThat(reply.getException()).isNull();
        assertThat(reply.getMessage().getHeaders()).containsOnly(Map.entry(Exchange.HTTP_RESPONSE_CODE, 503),
                Map.entry(Exchange.CONTENT_TYPE, "application/json"));
        assertThat(MAPPER.readTree(reply.getMessage().getBody(String.class)))
                .isEqualTo(MAPPER.createObjectNode().put("error", "Connection refused"));
    }
}
