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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes {@code pause-connector}, {@code resume-connector} and {@code restart-connector} with the API's
 * error policy, fed from {@code direct:}, against a scripted Connect: the answers a real worker gives
 * rarely (409 in a rebalance, a refused token, 404) and the bad input a caller can send. The real
 * worker: ConnectorControlIT.
 */
class ConnectorControlRouteTest extends RouteTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CONNECTOR = "/connectors/product_connector";

    private final ConnectorDefinition definition = ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of());
    private final ConnectorRegistration registration = new ConnectorRegistration(definition, () -> { }, 2, 100);
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile String state = "RUNNING";
    private volatile Answer control = new Answer(202, "");
    /** The task's states the status shows, one per read, after a restart (then the last one stays). */
    private final java.util.Deque<String> afterRestart = new java.util.concurrent.ConcurrentLinkedDeque<>();

    @Override
    protected Map<String, String> properties() {
        return Map.of("cdc.connect.url", "http://localhost:8083");
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() {
        return new RoutesBuilder[] {new ApiErrorPolicy(), new ConnectorControlRoute(new ConnectApi(context, definition, SettingsReader.read(context, ConnectSettings::read)), registration)};
    }

    /** Connect as a script: a pause or resume moves the state the status shows; a restart answers its plan. */
    private Answer connect(String call) {
        calls.add(call);
        if (call.equals("GET " + CONNECTOR + "/status")) {
            String task = afterRestart.size() > 1 ? afterRestart.poll() : afterRestart.isEmpty() ? state : afterRestart.peek();
            return new Answer(200, status(state, task));
        }
        if (!Integer.valueOf(202).equals(control.status())) {
            return control;
        }
        if (call.equals("PUT " + CONNECTOR + "/pause")) {
            state = "PAUSED";
        } else if (call.equals("PUT " + CONNECTOR + "/resume")) {
            state = "RUNNING";
        }
        return control;
    }

    private static String status(String connector, String task) {
        return "{\"name\":\"product_connector\",\"connector\":{\"state\":\"" + connector + "\",\"worker_id\":\"w\"},"
                + "\"tasks\":[{\"id\":0,\"state\":\"" + task + "\",\"worker_id\":\"w\"}],\"type\":\"source\"}";
    }

    private Exchange post(String route, Map<String, Object> headers) throws Exception {
        for (String id : List.of(ConnectorControlRoute.PAUSE, ConnectorControlRoute.RESUME, ConnectorControlRoute.RESTART)) {
            AdviceWith.adviceWith(context, id, a -> a.replaceFromWith("direct:test-" + id));
        }
        ScriptedHttp.install(context, (call, body) -> connect(call));
        context.start();
        return template.request("direct:test-" + route, e -> e.getMessage().setHeaders(new java.util.HashMap<>(headers)));
    }

    private static JsonNode body(Exchange reply) throws Exception {
        Object body = reply.getMessage().getBody();
        return body instanceof JsonNode node ? node : MAPPER.readTree(reply.getMessage().getBody(String.class));
    }

    @Test
    void shouldPauseAndAnswerWithThePausedStateAndWhoPausedIt() throws Exception {
        Exchange reply = post(ConnectorControlRoute.PAUSE, Map.of("reason", "nightly load \"ETL\"\nline two",
                "Authorization", "Bearer x", ConnectorControl.REMOTE_ADDRESS, "127.0.0.1:50123"));

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        JsonNode body = body(reply);
        assertThat(body.path("state").asText()).isEqualTo("PAUSED");
        assertThat(body.path("tasks").get(0).path("state").asText()).isEqualTo("PAUSED");
        assertThat(body.path("settled").asBoolean()).isTrue();
        assertThat(body.path("pausedBy").path("by").asText()).isEqualTo("the API token (Authorization: Bearer) from 127.0.0.1");
        assertThat(body.path("pausedBy").path("reason").asText()).isEqualTo("nightly load \"ETL\"\nline two");
        assertThat(registration.pauseNote().reason()).isEqualTo("nightly load \"ETL\"\nline two");
        assertThat(calls).contains("PUT " + CONNECTOR + "/pause");
    }

    @Test
    void shouldRefuseAReasonTooLongWithoutCallingConnect() throws Exception {
        Exchange reply = post(ConnectorControlRoute.PAUSE, Map.of("reason", "x".repeat(ConnectorControl.MAX_REASON + 1)));

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        assertThat(body(reply).path("error").asText()).contains("at most 500");
        assertThat(calls).isEmpty();
        assertThat(registration.pauseNote()).isNull();
    }

    @Test
    void shouldResumeAndForgetWhoPaused() throws Exception {
        state = "PAUSED";
        registration.notePause(new PauseNote("the live page", java.time.Instant.now(), null));

        Exchange reply = post(ConnectorControlRoute.RESUME, Map.of());

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(body(reply).path("state").asText()).isEqualTo("RUNNING");
        assertThat(body(reply).has("pausedBy")).isFalse();
        assertThat(registration.pauseNote()).isNull();
    }

    @Test
    void shouldNameThePartsConnectRestarts() throws Exception {
        control = new Answer(202, status("RUNNING", "RESTARTING"));
        // Connect's status store shows the restart after its answer: the old state first
        afterRestart.addAll(List.of("RUNNING", "RUNNING", "RESTARTING", "RESTARTING", "RUNNING"));

        Exchange reply = post(ConnectorControlRoute.RESTART, Map.of("includeTasks", "true", "onlyFailed", "false"));

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        JsonNode body = body(reply);
        assertThat(body.path("restarted").toString()).isEqualTo("[\"task 0\"]");
        assertThat(body.path("includeTasks").asBoolean()).isTrue();
        assertThat(body.path("onlyFailed").asBoolean()).isFalse();
        assertThat(body.path("state").asText()).isEqualTo("RUNNING");
        assertThat(body.path("settled").asBoolean()).isTrue();
        assertThat(afterRestart).as("answered once the restart went through, not on the state from before it")
                .containsExactly("RUNNING");
    }

    @Test
    void shouldRefuseAFlagThatIsNeitherTrueNorFalse() throws Exception {
        Exchange reply = post(ConnectorControlRoute.RESTART, Map.of("includeTasks", "yes"));

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        assertThat(body(reply).path("error").asText()).isEqualTo("includeTasks must be true or false, not 'yes'");
        assertThat(calls).isEmpty();
    }

    @Test
    void shouldPassConnectsConflictOnAndNotNoteAPauseConnectRefused() throws Exception {
        control = new Answer(409, "{\"error_code\":409,\"message\":\"Cannot complete request momentarily due to stale configuration\"}");

        Exchange reply = post(ConnectorControlRoute.PAUSE, Map.of());

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(409);
        assertThat(body(reply).path("error").asText()).contains("stale configuration").contains("try again");
        assertThat(registration.pauseNote()).isNull();
    }

    @Test
    void shouldSay502WhenConnectRefusesTheAppsToken() throws Exception {
        control = new Answer(403, "A request that changes something needs the token");

        Exchange reply = post(ConnectorControlRoute.RESUME, Map.of());

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(502);
        assertThat(body(reply).path("error").asText()).contains("403").contains("cdc.connect.token");
    }

    @Test
    void shouldAnswer503WhenConnectDoesNotAnswer() throws Exception {
        control = new Answer(null, null);

        Exchange reply = post(ConnectorControlRoute.PAUSE, Map.of());

        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(body(reply).path("error").asText()).contains("Connection refused");
        assertThat(registration.pauseNote()).as("a pause Connect never took is not noted").isNull();
    }
}
