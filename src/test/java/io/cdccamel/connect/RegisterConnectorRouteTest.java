package io.cdccamel.connect;

import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.ConnectSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.NotifyBuilder;
import io.cdccamel.connect.ScriptedHttp.Answer;
import io.cdccamel.testing.RouteTestSupport;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route {@code register-connector} against scripted Connect answers, for the answers a real worker
 * cannot be made to give on demand (500, endless 409, refusals). The calls to Connect go to a
 * scripted stand-in for the {@code http} component; the route against the real worker is in
 * PipelineIT and ConnectorLifecycleIT.
 */
class RegisterConnectorRouteTest extends RouteTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CLASS = "io.debezium.connector.postgresql.PostgresConnector";
    private static final String VALIDATE = "PUT /connector-plugins/" + CLASS + "/config/validate";

    private final ConnectorDefinition definition =
            ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of("database.hostname", "localhost"));
    private final AtomicInteger banners = new AtomicInteger();
    private final ConnectorRegistration registration =
            new ConnectorRegistration(definition, banners::incrementAndGet, 2, 100);
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final FakeConnect connect = new FakeConnect();
    private volatile boolean claimWins = true;

    /** Connect as a script: plugins listed, connector present or not, its config and status. */
    class FakeConnect {
        volatile boolean pluginsListed = true;
        volatile ObjectNode config;
        volatile String status = running();
        volatile int refusals;
        volatile java.util.function.IntFunction<Answer> postAnswers = n -> new Answer(201, "{}");
        volatile String validationErrors;
        volatile String invalidKey = "database.hostname";
        final AtomicInteger posts = new AtomicInteger();

        Answer answer(String call, String body) throws Exception {
            if (refusals > 0) {
                refusals--;
                return new Answer(null, null);
            }
            if (call.equals("GET /connector-plugins")) {
                return new Answer(200, pluginsListed ? "[{\"class\":\"" + CLASS + "\",\"type\":\"source\"}]" : "[]");
            }
            if (call.equals(VALIDATE)) {
                String errors = validationErrors == null ? "[]" : "[\"" + validationErrors + "\"]";
                return new Answer(200, "{\"name\":\"" + CLASS + "\",\"error_count\":" + (validationErrors == null ? 0 : 1)
                        + ",\"configs\":[{\"value\":{\"name\":\"" + invalidKey + "\",\"errors\":" + errors + "}}]}");
            }
            if (call.equals("POST /connectors")) {
                Answer a = postAnswers.apply(posts.incrementAndGet());
                if (a.status() == 201) {
                    JsonNode posted = MAPPER.readTree(body);
                    config = ((ObjectNode) posted.get("config")).put("name", posted.get("name").asText());
                }
                return a;
            }
            if (call.equals("GET /connectors/product_connector")) {
                return config == null ? new Answer(404, "{\"error_code\":404,\"message\":\"Connector product_connector not found\"}")
                        : new Answer(200, MAPPER.createObjectNode().put("name", "product_connector").set("config", config).toString());
            }
            if (call.equals("PUT /connectors/product_connector/config")) {
                config = (ObjectNode) MAPPER.readTree(body);
                return new Answer(200, "{}");
            }
            if (call.equals("GET /connectors/product_connector/status")) {
                return new Answer(200, status);
            }
            if (call.equals("POST /connectors/product_connector/restart")) {
                return new Answer(202, "{}");
            }
            return new Answer(404, "{\"error_code\":404,\"message\":\"no such call " + call + "\"}");
        }
    }

    @Override
    protected Map<String, String> properties() {
        return Map.ofEntries(
                Map.entry("cdc.connect.url", "http://localhost:8083"),
                Map.entry("cdc.connect.initial-delay.ms", "0"),
                Map.entry("cdc.connect.poll.ms", "20"),
                Map.entry("cdc.connect.post-jitter.ms", "0"));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RegisterConnectorRoute(new ConnectApi(context, definition, SettingsReader.read(context, ConnectSettings::read)), registration,
                () -> claimWins);
    }

    private void start() throws Exception {
        ScriptedHttp.install(context, (call, body) -> {
            calls.add(call);
            return connect.answer(call, body);
        });
        context.start();
    }

    private static String running() {
        return "{\"name\":\"product_connector\",\"connector\":{\"state\":\"RUNNING\",\"worker_id\":\"w\"},"
                + "\"tasks\":[{\"id\":0,\"state\":\"RUNNING\",\"worker_id\":\"w\"}],\"type\":\"source\"}";
    }

    private long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    private void awaitState(ConnectorRegistration.State state) {
        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == state);
    }

    @Test
    void shouldNotPostWhenTheConnectorIsAlreadyRegistered() throws Exception {
        connect.config = definition.configNode();
        start();

        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector/status") >= 5);
        assertThat(count("POST /connectors")).isZero();
        assertThat(count("PUT /connectors/product_connector/config")).isZero();
        assertThat(registration.state()).isEqualTo(ConnectorRegistration.State.RUNNING);
        assertThat(banners.get()).as("banner printed once, not once per tick").isEqualTo(1);
    }

    @Test
    void shouldValidateThenPostTheFileOnceWhenTheConnectorIsMissing() throws Exception {
        start();

        awaitState(ConnectorRegistration.State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector/status") >= 5);
        assertThat(calls).startsWith("GET /connector-plugins", "GET /connectors/product_connector",
                "GET /connectors/product_connector", VALIDATE, "POST /connectors");
        assertThat(count("POST /connectors")).as("no re-post once registered").isEqualTo(1);
        assertThat((JsonNode) connect.config).isEqualTo(definition.configNode());
        assertThat(registration.createdCount()).isEqualTo(1);
    }

    @Test
    void shouldLeaveTheCreationToTheInstanceThatClaimedIt() throws Exception {
        claimWins = false;
        start();

        awaitState(ConnectorRegistration.State.REGISTERED_ELSEWHERE);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector") >= 6);
        assertThat(count(VALIDATE)).isZero();
        assertThat(count("POST /connectors")).isZero();

        connect.config = definition.configNode(); // the other instance created it
        awaitState(ConnectorRegistration.State.RUNNING);
        assertThat(registration.createdCount()).isZero();
    }

    @Test
    void shouldWaitForConnectToListThePluginBeforeAnythingElse() throws Exception {
        connect.pluginsListed = false;
        start();

        awaitState(ConnectorRegistration.State.WAITING_FOR_CONNECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connector-plugins") >= 3);
        assertThat(calls).containsOnly("GET /connector-plugins");
        assertThat(registration.lastMessage()).contains("Waiting for Kafka Connect to list " + CLASS);

        connect.pluginsListed = true;
        awaitState(ConnectorRegistration.State.RUNNING);
    }

    @Test
    void shouldRetryOn409And500UntilConnectAcceptsTheConnector() throws Exception {
        connect.postAnswers = n -> switch (n) {
            case 1 -> new Answer(409, "{\"error_code\":409,\"message\":\"Cannot complete request because of a conflicting operation (e.g. worker rebalance)\"}");
            case 2 -> new Answer(500, "{\"error_code\":500,\"message\":\"Request timed out\"}");
            default -> new Answer(201, "{}");
        };
        start();

        awaitState(ConnectorRegistration.State.RUNNING);
        assertThat(connect.posts.get()).isEqualTo(3);
        assertThat(registration.createdCount()).isEqualTo(1);
    }

    @Test
    void shouldNotPostAConfigThatConnectFindsInvalid() throws Exception {
        connect.validationErrors = "Error while validating connector config: Connection to localhost:5432 refused";
        start();

        awaitState(ConnectorRegistration.State.INVALID);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(VALIDATE) >= 2);
        assertThat(count("POST /connectors")).isZero();
        assertThat(registration.lastMessage()).contains("invalid; not posting it")
                .contains("database.hostname: Error while validating connector config: Connection to localhost:5432 refused");

        connect.validationErrors = null; // the database came up
        awaitState(ConnectorRegistration.State.RUNNING);
        assertThat(count("POST /connectors")).isEqualTo(1);
    }

    @Test
    void shouldSayThatTheWorkerLacksExactlyOnceWhenConnectFindsTheConnectorInvalidForIt() throws Exception {
        // what DistributedHerder answers when exactly.once.support=required meets a worker without it
        connect.invalidKey = "exactly.once.support";
        connect.validationErrors = "This worker does not have exactly-once source support enabled.";
        start();

        awaitState(ConnectorRegistration.State.INVALID);
        assertThat(count("POST /connectors")).isZero();
        assertThat(registration.lastMessage())
                .contains("exactly.once.support: This worker does not have exactly-once source support enabled.")
                .contains("set exactly.once.source.support=enabled on every worker");
        assertThat(registration.isHealthy()).isFalse();
    }

    @Test
    void shouldSayThatTheWorkerLacksExactlyOnceWhenConnectRejectsThePostForIt() throws Exception {
        connect.postAnswers = n -> new Answer(400, "{\"error_code\":400,\"message\":\"Connector configuration is invalid and "
                + "contains the following 1 error(s):\\nexactly.once.support: This worker does not have exactly-once source "
                + "support enabled.\"}");
        start();

        awaitState(ConnectorRegistration.State.REJECTED);
        assertThat(registration.lastMessage()).contains("rejected POST /connectors with 400")
                .contains("This worker does not have exactly-once source support enabled.")
                .contains("set exactly.once.source.support=enabled on every worker");
    }

    @Test
    void shouldReportConnectsErrorBodyWhenItRejectsThePost() throws Exception {
        connect.postAnswers = n -> new Answer(400, "{\"error_code\":400,\"message\":\"Connector config is malformed\"}");
        start();

        awaitState(ConnectorRegistration.State.REJECTED);
        assertThat(registration.lastMessage()).contains("rejected POST /connectors with 400")
                .contains("Connector config is malformed").contains("no further attempts");
        int callsAtRejection = calls.size();
        NotifyBuilder tenMoreTicks = new NotifyBuilder(context).fromRoute(RegisterConnectorRoute.ROUTE_ID).whenDone(10).create();
        assertThat(tenMoreTicks.matches(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(calls).as("no retry of a request Connect refused").hasSize(callsAtRejection);
        assertThat(registration.createdCount()).isZero();
        assertThat(registration.isHealthy()).isFalse();
    }

    @Test
    void shouldRetryWithBackoffWhileConnectIsUnreachable() throws Exception {
        connect.refusals = 5;
        start();

        awaitState(ConnectorRegistration.State.RUNNING);
        assertThat(List.copyOf(calls).subList(0, 5)).containsOnly("GET /connector-plugins");
        assertThat(registration.createdCount()).isEqualTo(1);
    }

    @Test
    void shouldSayOnceThatConnectIsNotReachableAndWhy() throws Exception {
        connect.refusals = Integer.MAX_VALUE;
        start();

        awaitState(ConnectorRegistration.State.UNREACHABLE);
        assertThat(registration.lastMessage())
                .isEqualTo("Kafka Connect is not reachable (ConnectException: Connection refused); retrying with backoff");
        assertThat(registration.isConnectReady()).isFalse();
    }

    @Test
    void shouldApplyAChangedConfigWithPutOnce() throws Exception {
        ObjectNode drifted = definition.configNode();
        drifted.put("database.port", "5433");
        drifted.put("snapshot.mode", "never");
        connect.config = drifted;
        start();

        awaitState(ConnectorRegistration.State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector/status") >= 5);
        assertThat(count("PUT /connectors/product_connector/config")).isEqualTo(1);
        assertThat((JsonNode) connect.config).isEqualTo(definition.configNode());
        assertThat(registration.updatedCount()).isEqualTo(1);
        assertThat(count("POST /connectors")).isZero();
    }

    @Test
    void shouldApplyASettingDerivedWhileRunningAndSayWhenConnectRunsIt() throws Exception {
        connect.config = definition.configNode();
        start();
        awaitState(ConnectorRegistration.State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(registration::runsCurrentConfig);

        // a generated column appeared: the app's refresh derives a new column list while the connector runs
        assertThat(definition.derive(Map.of("column.exclude.list", "shop\\.film\\.total"))).isTrue();
        assertThat(registration.runsCurrentConfig()).as("Connect still runs the old list").isFalse();
        // Connect took the PUT: not before the task has had the time to restart with it
        await().atMost(Duration.ofSeconds(8)).until(() -> count("PUT /connectors/product_connector/config") == 1);
        long put = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(registration::runsCurrentConfig);
        assertThat(System.nanoTime() - put).as("the config's settling time").isGreaterThanOrEqualTo(
                ConnectorRegistration.CONFIG_SETTLES_NANOS - java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
        assertThat(connect.config.get("column.exclude.list").asText()).isEqualTo("shop\\.film\\.total");
        assertThat(count("PUT /connectors/product_connector/config")).isEqualTo(1);
        assertThat(definition.derive(Map.of("column.exclude.list", "shop\\.film\\.total"))).as("unchanged").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector/status") >= 8);
        assertThat(count("PUT /connectors/product_connector/config")).isEqualTo(1);
    }

    @Test
    void shouldRestartFailedPartsThenGiveUpAfterTheLimit() throws Exception {
        connect.config = definition.configNode();
        connect.status = "{\"name\":\"product_connector\",\"connector\":{\"state\":\"RUNNING\"},\"tasks\":[{\"id\":0,"
                + "\"state\":\"FAILED\",\"trace\":\"org.apache.kafka.connect.errors.ConnectException: role \\\"cdc\\\" is not permitted to log in\\n\\tat io.debezium...\"}]}";
        start();

        awaitState(ConnectorRegistration.State.GAVE_UP);
        assertThat(count("POST /connectors/product_connector/restart")).isEqualTo(2);
        assertThat(registration.isHealthy()).isFalse();
        assertThat(registration.lastMessage()).contains("gave up after 2 restarts").contains("is not permitted to log in");
    }

    @Test
    void shouldLeaveAPausedConnectorPausedAndNotRestartItsFailedTask() throws Exception {
        connect.config = definition.configNode();
        connect.status = "{\"name\":\"product_connector\",\"connector\":{\"state\":\"PAUSED\"},\"tasks\":[{\"id\":0,"
                + "\"state\":\"FAILED\",\"trace\":\"org.apache.kafka.connect.errors.ConnectException: boom\"}]}";
        registration.notePause(new PauseNote("the live page from 127.0.0.1", java.time.Instant.parse("2026-12-05T07:40:12Z"),
                "nightly load"));
        start();

        awaitState(ConnectorRegistration.State.PAUSED);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("GET /connectors/product_connector/status") >= 5);
        assertThat(count("POST /connectors/product_connector/restart")).as("a pause is the user's: nothing restarted").isZero();
        assertThat(registration.isPaused()).isTrue();
        assertThat(registration.lastMessage()).contains("PAUSED").contains("paused by the live page from 127.0.0.1 at "
                + "2026-12-05T07:40:12Z: nightly load").contains("POST /api/connector/resume");
        ConnectorHealthCheck health = new ConnectorHealthCheck(registration);
        health.setCamelContext(context);
        org.apache.camel.health.HealthCheck.Result result = health.call();
        assertThat(result.getState()).as("a deliberate pause is no failure").isEqualTo(org.apache.camel.health.HealthCheck.State.UP);
        assertThat(result.getDetails()).containsEntry("state", "PAUSED").containsKey("paused");

        // resumed (here through Connect's own API): back to normal
        connect.status = running();
        awaitState(ConnectorRegistration.State.RUNNING);
    }
}
