package io.cdccamel.stack;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect worker in distributed mode, REST API included, with Debezium's
 * PostgresConnector found on the classpath. Internal topics keep the seed tutorial's names.
 */
public final class ConnectWorker implements AutoCloseable {

    public static final String GROUP_ID = "cdc-connect";
    public static final String CONFIG_TOPIC = "my_connect_configs";
    public static final String OFFSET_TOPIC = "my_connect_offsets";
    public static final String STATUS_TOPIC = "my_connect_statuses";
    static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";

    private final Connect<?> connect;
    private final int port;

    private ConnectWorker(Connect<?> connect, int port) {
        this.connect = connect;
        this.port = port;
    }

    public static ConnectWorker start(String bootstrapServers, int port, java.nio.file.Path secretsFile,
                                      Duration readyTimeout) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", GROUP_ID);
        props.put("config.storage.topic", CONFIG_TOPIC);
        props.put("offset.storage.topic", OFFSET_TOPIC);
        props.put("status.storage.topic", STATUS_TOPIC);
        props.put("config.storage.replication.factor", "3");
        props.put("offset.storage.replication.factor", "3");
        props.put("status.storage.replication.factor", "3");
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("key.converter.schemas.enable", "false");
        props.put("value.converter.schemas.enable", "false");
        // Debezium's offsets reach Kafka within a second, so a restart replays little
        props.put("offset.flush.interval.ms", "1000");
        props.put("listeners", "http://localhost:" + port);
        props.put("rest.advertised.host.name", "localhost");
        props.put("rest.advertised.port", Integer.toString(port));
        // connectors cannot override the worker's Kafka client settings
        props.put("connector.client.config.override.policy", "None");
        // ${env:NAME} in a connector config: the environment, else the stack's secrets file
        props.put("config.providers", "env");
        props.put("config.providers.env.class", EmbeddedSecretsProvider.class.getName());
        props.put("config.providers.env.param." + EmbeddedSecretsProvider.SECRETS_FILE, secretsFile.toAbsolutePath().toString());
        // plugins come from the classpath through ServiceLoader: no plugin.path scan (saves ~4 s)
        props.put("plugin.discovery", "service_load");

        // the stack stops Connect itself, in order (before the brokers): no hook of Connect's own
        // racing it at JVM shutdown
        Exit.setShutdownHookAdder((name, runnable) -> { });
        // Connect swaps the starting thread's context class loader: keep that off the caller's thread
        CompletableFuture<Connect<?>> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                started.complete(new ConnectDistributed().startConnect(props));
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        }, "connect-worker-start");
        starter.setDaemon(true);
        starter.start();
        Connect<?> connect = started.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ConnectWorker worker = new ConnectWorker(connect, port);
        worker.awaitPostgresPlugin(readyTimeout);
        return worker;
    }

    /** The REST API answers before the herder has joined its group; wait until it lists our plugin. */
    private void awaitPostgresPlugin(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/connector-plugins"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains(POSTGRES_CONNECTOR)) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new StackStartException("Kafka Connect at " + url() + " did not list " + POSTGRES_CONNECTOR
                + " within " + timeout.toSeconds() + " s (last answer: " + last + ")");
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
