package io.cdccamel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's REST DSL on a real platform-http server (no stack): its paths call the features' routes
 * by id (stand-ins here), successes are written by the JSON binding, errors as the routes wrote them,
 * and the OpenAPI document lists every path.
 */
class ApiRestRoutesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private CamelContext camel;
    private String base;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        camel = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost("127.0.0.1");
        server.setBindPort(port);
        camel.addService(new VertxPlatformHttpServer(server));
        camel.addRoutes(new ApiErrorPolicy());
        camel.addRoutes(new ApiRestRoutes());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // stand-ins for the features' routes, answering as they do
                from("direct:" + ApiRestRoutes.LIST_TOPICS).routeConfigurationId(ApiErrorPolicy.ID)
                    .process(e -> ApiReplies.reply(e, 200, List.of(Map.of("name", "orders", "internal", false))));
                from("direct:" + ApiRestRoutes.SHOW_CONNECTOR).routeConfigurationId(ApiErrorPolicy.ID)
                    .throwException(new IllegalStateException("Connection refused"));
                from("direct:" + ApiRestRoutes.DESCRIBE_TOPIC).routeConfigurationId(ApiErrorPolicy.ID)
                    .process(e -> {
                        e.getMessage().removeHeaders("*");
                        e.getMessage().setHeader("Content-Type", "text/plain");
                        e.getMessage().setBody("Topic: orders\tPartitionCount: 3\n");
                    });
                from("direct:" + ApiRestRoutes.CONTROL_BROKER).routeConfigurationId(ApiErrorPolicy.ID)
                    .process(e -> ApiReplies.reply(e, 404, Map.of("error", "No broker "
                            + e.getMessage().getHeader("id") + "; brokers are [0, 1, 2]")));
                from("direct:" + ApiRestRoutes.SNAPSHOT_TABLE).routeConfigurationId(ApiErrorPolicy.ID)
                    .process(e -> ApiReplies.reply(e, 202, Map.of("table", e.getMessage().getHeader("table"),
                            "filter", e.getMessage().getHeader("filter"))));
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheOpenApiDocumentWithEveryPath() throws Exception {
        HttpResponse<String> r = send("GET", ApiRestRoutes.OPENAPI);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode doc = MAPPER.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("cdc-camel API");
        assertThat(doc.path("paths").fieldNames()).toIterable().contains("/api/connector", "/api/topics",
                "/api/topics/{name}", "/api/brokers/{id}/{action}", "/api/tables/{table}/snapshot",
                "/api/connector/pause", "/api/connector/resume", "/api/connector/restart");
        assertThat(doc.path("paths").path("/api/brokers/{id}/{action}").has("post")).isTrue();
        assertThat(camel.getRoute("get-openapi")).as("the document's route, by its name").isNotNull();
    }

    @Test
    void shouldWriteASuccessAsPrettyJsonThroughTheBinding() throws Exception {
        HttpResponse<String> r = send("GET", "/api/topics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(ApiReplies.JSON));
        assertThat(r.body()).contains("\"name\" : \"orders\"");
        assertThat(MAPPER.readTree(r.body()).get(0).path("internal").asBoolean(true)).isFalse();
    }

    @Test
    void shouldAnswerErrorsAsTheRoutesWroteThem() throws Exception {
        HttpResponse<String> down = send("GET", "/api/connector");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(MAPPER.readTree(down.body())).isEqualTo(MAPPER.createObjectNode().put("error", "Connection refused"));

        HttpResponse<String> missing = send("POST", "/api/brokers/7/stop");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(missing.body()).path("error").asText()).isEqualTo("No broker 7; brokers are [0, 1, 2]");
    }

    @Test
    void shouldKeepEachPathsMethodAndPassPathAndQueryParameters() throws Exception {
        assertThat(send("GET", "/api/brokers/0/stop").statusCode()).isEqualTo(405);

        HttpResponse<String> asked = send("POST", "/api/tables/public.items/snapshot?filter=id%3E5");
        assertThat(asked.statusCode()).isEqualTo(202);
        JsonNode body = MAPPER.readTree(asked.body());
        assertThat(body.path("table").asText()).isEqualTo("public.items");
        assertThat(body.path("filter").asText()).isEqualTo("id>5");
    }

    @Test
    void shouldAnswerTheTopicsTextUnboundWhenTextIsAskedFor() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/topics/orders"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Topic: orders\tPartitionCount: 3\n");
    }
}
