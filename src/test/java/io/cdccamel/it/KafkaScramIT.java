package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.stack.KafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * External mode against a secured cluster: the shared stack's three brokers with their SASL/SCRAM
 * listener, and the app given nothing but {@code cdc.kafka.client.*} (SASL_PLAINTEXT, SCRAM-SHA-256, a
 * JAAS line with the password). Every Kafka client of the app must take them: the registration lock
 * (or the connector is never registered), the print route, the topic admin, the live view's reader.
 * The password is in no log line.
 */
@ExtendWith(EmbeddedStackExtension.class)
class KafkaScramIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String USER = "cdc-app";

    @TempDir
    Path workDir;

    private TestApp app;

    @AfterEach
    void closeApp() throws Exception {
        if (app != null) {
            app.closeAndRemoveConnector();
        }
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";";
    }

    private static Map<String, Object> scramClient(String password) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedStackExtension.stack().kafka().scramBootstrapServers(),
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", KafkaCluster.SCRAM_MECHANISM,
                "sasl.jaas.config", jaas(password), AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    @Test
    void shouldRunThePipelineOnASaslScramClusterWithoutLoggingThePassword() throws Exception {
        String password = "scram-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedStackExtension.stack().kafka().bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password))).all().get(30, TimeUnit.SECONDS);
        }
        // the listener checks the password: a wrong one is refused, the right one gets in
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            try (Admin admin = Admin.create(scramClient(password))) {
                return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3;
            }
        });
        try (Admin admin = Admin.create(scramClient("wrong"))) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }

        Db.createProductTable("it_scram", "(1, 'over scram')");
        app = TestApp.start("it_scram", "scram_connector", "scram", workDir, false, Map.of(
                "cdc.kafka.brokers", EmbeddedStackExtension.stack().kafka().scramBootstrapServers(),
                KafkaClientSettings.PREFIX + "security.protocol", "SASL_PLAINTEXT",
                KafkaClientSettings.PREFIX + "sasl.mechanism", KafkaCluster.SCRAM_MECHANISM,
                KafkaClientSettings.PREFIX + "sasl.jaas.config", jaas(password)));

        // registered: the registration lock claimed it over SASL
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        // printed: the print route's consumer reads over SASL
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(app.outputFile()) && Files.readString(app.outputFile()).contains("over scram"));
        Db.exec("INSERT INTO it_scram.product VALUES (2, 'streamed over scram')");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(app.outputFile()).contains("streamed over scram"));
        // the live view's reader and the topic admin, over SASL too
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/live/state").path("eventCount").asLong() >= 2);
        assertThat(get("/api/topics").toString()).contains(app.topic());
        assertThat(get("/api/topics/" + app.topic()).path("partitionCount").asInt()).isEqualTo(3);

        // nor in any dev console's answer, text or JSON (Camel's masking misses sasl.jaas.config)
        org.apache.camel.console.DevConsoleRegistry consoles = app.camel().getCamelContextExtension()
                .getContextPlugin(org.apache.camel.console.DevConsoleRegistry.class);
        String properties = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/q/dev/properties")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(properties).contains("cdc.kafka.client.sasl.jaas.config").doesNotContain(password);
        for (String id : consoles.getConsoleIDs()) {
            for (String format : List.of("", "?format=json")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/q/dev/" + id + format))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).as("/q/dev/" + id + format).doesNotContain(password);
            }
        }
        // the route console, wrapped for masking, lists every running route with its counters
        HttpResponse<String> routeReply = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/q/dev/route"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(routeReply.statusCode()).as(routeReply.body()).isEqualTo(200);
        JsonNode routeConsole = MAPPER.readTree(routeReply.body());
        JsonNode listed = routeConsole.has("route") ? routeConsole.path("route").path("routes") : routeConsole.path("routes");
        Map<String, JsonNode> byId = new java.util.TreeMap<>();
        listed.forEach(r -> byId.put(r.path("routeId").asText(), r));
        assertThat(byId.keySet()).as(routeConsole.toString())
                .containsAll(app.camel().getRoutes().stream().map(org.apache.camel.Route::getRouteId).toList());
        assertThat(byId.get("print-change-events").path("statistics").path("exchangesTotal").asLong())
                .as(byId.get("print-change-events").toString()).isGreaterThanOrEqualTo(1);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/q/dev/route")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("print-change-events");

        // the password is in no log line, while the masked settings are
        Path logDir = Path.of(System.getProperty("cdc.log.dir", "data/logs"));
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                logs.append(Files.readString(f));
            }
        }
        assertThat(logs).contains("Kafka clients' settings from cdc.kafka.client.*")
                .contains("sasl.jaas.config=********");
        assertThat(logs.indexOf(password)).as("the password in the log").isEqualTo(-1);
    }
}
