package io.cdccamel.it;

import io.cdccamel.CdcApplication;
import io.cdccamel.api.ApiSecurity;
import org.apache.camel.main.Main;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.stack.KafkaBrokerControl;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.Ports;
import org.apache.camel.CamelContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real application (Camel Main, Java and YAML routes) started in-process in external mode
 * against the shared embedded stack, with its own connector, slot, schema, group and folders.
 */
final class TestApp implements AutoCloseable {

    final String schema;
    final String connector;
    final Path outputDir;
    final Path routesDir;
    final Main app;

    /** The operations API of this app: {@code http://127.0.0.1:<cdc.api.port>}. */
    String apiUrl() {
        return "http://127.0.0.1:" + app.getCamelContext().resolvePropertyPlaceholders("{{cdc.api.port}}");
    }

    private TestApp(String schema, String connector, Path outputDir, Path routesDir, Main app) {
        this.schema = schema;
        this.connector = connector;
        this.outputDir = outputDir;
        this.routesDir = routesDir;
        this.app = app;
    }

    /** The API's bearer token of this start, as the banner prints it. */
    String apiToken() {
        return app.getCamelContext().getRegistry().lookupByNameAndType(ApiSecurity.BEAN, ApiSecurity.class).token();
    }

    /** The live page's link with the token, as the banner prints it. */
    String apiLink() {
        return app.getCamelContext().getRegistry().lookupByNameAndType(ApiSecurity.BEAN, ApiSecurity.class)
                .pageLink(apiUrl());
    }

    /** Requests this app's API refused. */
    long apiRefusals() {
        return app.getCamelContext().getRegistry().lookupByNameAndType(ApiSecurity.BEAN, ApiSecurity.class).refused();
    }

    /** Topic of the test table {@code <schema>.product}. */
    String topic() {
        return "postgres." + schema + ".product";
    }

    Path outputFile() {
        return outputDir.resolve(topic() + ".log");
    }

    ConnectorRegistration registration() {
        return app.getCamelContext().getRegistry().findSingleByType(ConnectorRegistration.class);
    }

    CamelContext camel() {
        return app.getCamelContext();
    }

    /** A counter of this app's {@code /observe/metrics} (Prometheus text), summed over its labels; -1 when absent. */
    long metric(String name) throws IOException, InterruptedException {
        String text = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(apiUrl() + "/observe/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        double sum = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum = Math.max(sum, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }

    /**
     * Starts an app for {@code schema}; {@code instance} names its consumer group and folders, so
     * that two apps may share one connector.
     */
    static TestApp start(String schema, String connector, String instance, Path workDir) throws Exception {
        return start(schema, connector, instance, workDir, false);
    }

    /**
     * @param brokerControl let this app's API stop and start the shared stack's brokers, as the
     *                      embedded mode does for its own
     */
    static TestApp start(String schema, String connector, String instance, Path workDir, boolean brokerControl)
            throws Exception {
        return start(schema, connector, instance, workDir, brokerControl, Map.of());
    }

    /** @param extra properties that override the defaults of the tests */
    static TestApp start(String schema, String connector, String instance, Path workDir, boolean brokerControl,
                         Map<String, String> extra) throws Exception {
        LocalStack stack = EmbeddedStackExtension.stack();
        Path dir = Files.createDirectories(workDir.resolve(instance));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.copy(Path.of("routes", "print-change-events.camel.yaml"), routes.resolve("print-change-events.camel.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path output = dir.resolve("output");

        Map<String, String> props = new LinkedHashMap<>();
        props.put("cdc.mode", "external");
        props.put("cdc.demo.enabled", "false");
        props.put("cdc.kafka.brokers", stack.kafka().bootstrapServers());
        props.put("cdc.connect.url", stack.connect().url());
        // the shared worker takes state changes with its token only (ConnectRestGuard)
        props.put("cdc.connect.token", stack.connect().token());
        props.put("cdc.postgres.port", Integer.toString(stack.postgres().port()));
        // the shared stack's superuser password is its own (external mode would ask with docker-compose's)
        props.put("cdc.postgres.password", stack.postgresPassword());
        props.put("cdc.connect.poll.ms", "500");
        props.put("cdc.connector.name", connector);
        props.put("cdc.connector.config.database.hostname", "localhost");
        props.put("cdc.connector.config.database.port", Integer.toString(stack.postgres().port()));
        props.put("cdc.connector.config.slot.name", "slot_" + connector);
        props.put("cdc.connector.config.publication.name", "pub_" + connector);
        props.put("cdc.connector.config.schema.include.list", schema);
        props.put("cdc.topics", "postgres." + schema + ".product");
        props.put("cdc.consumer.group", "group-" + instance);
        props.put("cdc.output.dir", output.toString());
        props.put("cdc.search.dir", dir.resolve("search").toString());
        props.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        props.put("camel.main.routes-reload-directory", routes.toString());
        props.put("camel.main.name", instance);
        props.put("cdc.api.port", Integer.toString(Ports.freePort()));
        props.put("cdc.api.token-file", dir.resolve("api-token").toString());
        props.putAll(extra);

        Db.ensurePublication("pub_" + connector, schema);
        Main app = CdcApplication.newMain(brokerControl ? new KafkaBrokerControl(stack.kafka()) : null);
        props.forEach(app::addOverrideProperty);
        app.start();
        return new TestApp(schema, connector, output, routes, app);
    }

    /** Stops the app and removes its connector from the shared Connect worker. */
    void closeAndRemoveConnector() throws IOException, InterruptedException {
        close();
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        EmbeddedStackExtension.stack().connect().url() + "/connectors/" + connector)).DELETE()
                        .header("Authorization", "Bearer " + EmbeddedStackExtension.stack().connect().token()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        Db.dropSlotOf(connector);
    }

    @Override
    public void close() throws IOException {
        app.stop();
    }
}
