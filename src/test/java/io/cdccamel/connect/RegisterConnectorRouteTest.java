package io.cdccamel.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route {@code register-connector} against scripted Connect answers. The calls to Connect are
 * intercepted into a mock endpoint; the same route against the real Connect worker is in PipelineIT.
 */
class RegisterConnectorRouteTest extends CamelTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ConnectorDefinition definition =
            ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of("database.hostname", "localhost"));
    private final AtomicInteger banners = new AtomicInteger();
    private final ConnectorRegistration registration = new ConnectorRegistration(definition.name(), banners::incrementAndGet);
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** One scripted answer of the fake Connect REST API: status code and body. */
    record Answer(int status, String body) {
    }

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration contextConfiguration) {
        super.configureContext(contextConfiguration);
        Properties props = new Properties();
        props.put("cdc.connect.url", "http://localhost:8083");
        props.put("cdc.connect.initial-delay.ms", "0");
        props.put("cdc.connect.poll.ms", "50");
        props.put("cdc.connect.post-jitter.ms", "0");
        contextConfiguration.withUseOverridePropertiesWithPropertiesComponent(props);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RegisterConnectorRoute(definition, registration);
    }

    /** Starts the route with Connect answering {@code script(method + " " + path)}; null means refused. */
    private MockEndpoint startWithConnect(Function<String, Answer> script) throws Exception {
        AdviceWith.adviceWith(context, RegisterConnectorRoute.ROUTE_ID,
                a -> a.interceptSendToEndpoint("http*").skipSendToOriginalEndpoint().to("mock:connect"));
        MockEndpoint connect = getMockEndpoint("mock:connect");
        connect.whenAnyExchangeReceived(exchange -> {
            Message in = exchange.getMessage();
            String uri = exchange.getProperty(Exchange.INTERCEPTED_ENDPOINT, String.class);
            String path = uri.replaceFirst("^https?://localhost:8083", "").replaceFirst("\\?.*$", "");
            String call = in.getHeader(Exchange.HTTP_METHOD, String.class) + " " + path;
            calls.add(call);
            if (call.startsWith("POST")) {
                assertThat(in.getHeader(Exchange.CONTENT_TYPE, String.class)).isEqualTo("application/json");
                assertThat(MAPPER.readTree(in.getBody(String.class))).isEqualTo(MAPPER.readTree(definition.toJson()));
            }
            Answer answer = script.apply(call);
            if (answer == null) { // the script's way to say: nobody listens on that port
                exchange.setException(new ConnectException("Connection refused"));
                return;
            }
            in.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
            in.setBody(answer.body());
        });
        context.start();
        return connect;
    }

    private static Answer running() {
        return new Answer(200, "{\"name\":\"product_connector\",\"connector\":{\"state\":\"RUNNING\",\"worker_id\":\"w\"},"
                + "\"tasks\":[{\"id\":0,\"state\":\"RUNNING\",\"worker_id\":\"w\"}],\"type\":\"source\"}");
    }

    private long posts() {
        return calls.stream().filter(c -> c.startsWith("POST")).count();
    }

    @Test
    void shouldNotPostWhenTheConnectorIsAlreadyRegistered() throws Exception {
        startWithConnect(call -> call.endsWith("/status") ? running() : new Answer(200, "{\"name\":\"product_connector\"}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() >= 10);
        assertThat(posts()).isZero();
        assertThat(registration.state()).isEqualTo(ConnectorRegistration.State.RUNNING);
        assertThat(banners.get()).as("banner printed once, not once per tick").isEqualTo(1);
    }

    @Test
    void shouldPostTheFileContentOnceWhenTheConnectorIsMissing() throws Exception {
        AtomicInteger created = new AtomicInteger();
        startWithConnect(call -> {
            if (call.equals("POST /connectors")) {
                created.incrementAndGet();
                return new Answer(201, definition.toJson());
            }
            if (created.get() == 0) {
                return new Answer(404, "{\"error_code\":404,\"message\":\"Connector product_connector not found\"}");
            }
            return call.endsWith("/status") ? running() : new Answer(200, "{}");
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == ConnectorRegistration.State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() >= 10);
        assertThat(calls).startsWith("GET /connectors/product_connector", "GET /connectors/product_connector", "POST /connectors");
        assertThat(posts()).as("no re-post once registered").isEqualTo(1);
        assertThat(registration.createdCount()).isEqualTo(1);
    }

    @Test
    void shouldRetryOn409And500UntilConnectAcceptsTheConnector() throws Exception {
        AtomicInteger postCount = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        startWithConnect(call -> {
            if (call.startsWith("POST")) {
                return switch (postCount.incrementAndGet()) {
                    case 1 -> new Answer(409, "{\"error_code\":409,\"message\":\"Cannot complete request because of a conflicting operation (e.g. worker rebalance)\"}");
                    case 2 -> new Answer(500, "{\"error_code\":500,\"message\":\"Request timed out\"}");
                    default -> {
                        created.incrementAndGet();
                        yield new Answer(201, "{}");
                    }
                };
            }
            if (created.get() == 0) {
                return new Answer(404, "{}");
            }
            return call.endsWith("/status") ? running() : new Answer(200, "{}");
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == ConnectorRegistration.State.RUNNING);
        assertThat(posts()).isEqualTo(3);
        assertThat(registration.createdCount()).isEqualTo(1);
    }

    @Test
    void shouldReportConnectsErrorBodyWhenItRejectsTheConfig() throws Exception {
        String message = "Connector configuration is invalid and contains the following 1 error(s):\n"
                + "Error while validating connector config: Connection to localhost:5432 refused";
        startWithConnect(call -> call.startsWith("POST")
                ? new Answer(400, MAPPER.createObjectNode().put("error_code", 400).put("message", message).toString())
                : new Answer(404, "{}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == ConnectorRegistration.State.REJECTED);
        assertThat(registration.lastMessage()).contains("rejected connector product_connector with 400")
                .contains("Connection to localhost:5432 refused");
        assertThat(registration.createdCount()).isZero();
    }

    @Test
    void shouldRetryQuietlyWhileConnectIsUnreachable() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        startWithConnect(call -> {
            if (refusals.incrementAndGet() <= 5) {
                return null;
            }
            if (call.startsWith("POST")) {
                created.incrementAndGet();
                return new Answer(201, "{}");
            }
            if (created.get() == 0) {
                return new Answer(404, "{}");
            }
            return call.endsWith("/status") ? running() : new Answer(200, "{}");
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> registration.state() == ConnectorRegistration.State.RUNNING);
        assertThat(refusals.get()).isGreaterThan(5);
        assertThat(registration.createdCount()).isEqualTo(1);
    }
}
