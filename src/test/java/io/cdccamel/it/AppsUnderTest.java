package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apps a test started on the shared stack, as a JUnit extension: after each test it stops
 * them and deletes their connectors. Register it with {@code @RegisterExtension}.
 */
final class AppsUnderTest implements AutoCloseable, AfterEachCallback {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<TestApp> apps = new ArrayList<>();
    private final List<String> connectors = new ArrayList<>();
    private Path workDir;

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    TestApp start(String schema, String connector, String instance) throws Exception {
        return start(schema, connector, instance, false, Map.of());
    }

    TestApp start(String schema, String connector, String instance, boolean brokerControl, Map<String, String> extra)
            throws Exception {
        if (workDir == null) {
            workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-apps")), "apps");
        }
        connectors.add(connector);
        TestApp app = TestApp.start(schema, connector, instance, workDir, brokerControl, extra);
        apps.add(app);
        return app;
    }

    /** Stops one app before the test ends (its connector stays until {@link #close()}). */
    void stop(TestApp app) throws Exception {
        app.close();
        apps.remove(app);
    }

    /** {@code GET <Connect>/<path>}, expecting 200. */
    static JsonNode connect(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(connectUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    private static String connectUrl() {
        return EmbeddedStackExtension.stack().connect().url();
    }

    @Override
    public void close() throws Exception {
        for (TestApp app : apps) {
            app.close();
        }
        apps.clear();
        for (String connector : connectors.stream().distinct().toList()) {
            HTTP.send(HttpRequest.newBuilder(URI.create(connectUrl() + "/connectors/" + connector)).DELETE()
                            .header("Authorization", "Bearer " + EmbeddedStackExtension.stack().connect().token()).build(),
                    HttpResponse.BodyHandlers.discarding());
            Db.dropSlotOf(connector);
        }
        connectors.clear();
        workDir = null;
    }
}
