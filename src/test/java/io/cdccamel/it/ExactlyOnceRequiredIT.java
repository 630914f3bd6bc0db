package io.cdccamel.it;

import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.stack.ConnectWorker;
import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code debezium_connect.json} requires exactly-once source support: a real Connect worker without
 * it (a second one, in a Connect cluster of its own) refuses the connector, and the app says why
 * instead of streaming with re-sends.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ExactlyOnceRequiredIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private ConnectWorker worker;

    @AfterEach
    void stopTheWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void shouldRefuseToRegisterOnAWorkerWithoutExactlyOnceSourceSupportAndSaySo() throws Exception {
        String schema = "it_no_exactly_once";
        String connector = "no_exactly_once_connector";
        Db.createProductTable(schema);
        worker = ConnectWorker.start(EmbeddedStackExtension.stack().kafka().bootstrapServers(), Ports.freePort(),
                Path.of("target", "it-stack", "secrets", "connector.properties"), Duration.ofSeconds(120),
                "it-no-exactly-once", Map.of("exactly.once.source.support", "disabled"));

        TestApp app = apps.start(schema, connector, "no-exactly-once", false, Map.of("cdc.connect.url", worker.url()));

        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.INVALID);
        assertThat(app.registration().lastMessage())
                .contains("invalid; not posting it")
                .contains("exactly.once.support: This worker does not have exactly-once source support enabled.")
                .contains("set exactly.once.source.support=enabled on every worker");
        assertThat(app.registration().createdCount()).isZero();
        assertThat(app.registration().isHealthy()).isFalse();
        HttpResponse<String> lookup = HTTP.send(HttpRequest.newBuilder(URI.create(worker.url() + "/connectors/" + connector))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(lookup.statusCode()).as("nothing registered: %s", lookup.body()).isEqualTo(404);

        // a client that posts the file without validating it first is refused too, and nothing is
        // created; Connect 4.3.1 answers that POST with 500 instead of 400 because Debezium's
        // deprecated keys trip its error message builder (KAFKA-20693, fixed after 4.3.1): which is
        // one more reason register-connector validates before it posts
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(worker.url() + "/connectors"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + worker.token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + connector + "\",\"config\":"
                        + app.registration().configJson() + "}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as(post.body()).isIn(400, 500);
        HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(worker.url() + "/connectors/" + connector))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as("nothing created by the POST: %s", after.body()).isEqualTo(404);
        System.out.printf("EXACTLY-ONCE REQUIRED: registration %s; Connect answered POST with %d: %s%n",
                app.registration().state(), post.statusCode(), post.body());
    }
}
