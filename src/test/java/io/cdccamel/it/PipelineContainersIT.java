package io.cdccamel.it;

import io.cdccamel.CdcApplication;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PipelineIT's scenario against containers (Kafka, PostgreSQL, Debezium's Connect image) with the
 * application in external mode. Needs a Docker engine: it runs in the Maven profile {@code docker},
 * active where {@code /var/run/docker.sock} exists, and is reported skipped, with the reason, elsewhere.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = PipelineContainersIT.NO_DOCKER)
class PipelineContainersIT {

    static final String NO_DOCKER = "No Docker engine: this test needs one for its containers; "
            + "the same scenario runs without Docker on the embedded stack in PipelineIT";

    private static final String CONNECTOR_PASSWORD = "containers-it-" + System.nanoTime();

    private static Network network;
    private static KafkaContainer kafka;
    private static GenericContainer<?> postgres;
    private static GenericContainer<?> connect;

    @TempDir
    static Path workDir;

    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @BeforeAll
    static void startContainers() {
        network = Network.newNetwork();
        kafka = new KafkaContainer("apache/kafka:4.3.1").withNetwork(network).withListener("kafka:19092");
        postgres = new GenericContainer<>("postgres:17.6")
                .withNetwork(network).withNetworkAliases("postgres")
                .withEnv("POSTGRES_USER", "postgres").withEnv("POSTGRES_PASSWORD", "postgres")
                .withEnv("CDC_CONNECTOR_PASSWORD", CONNECTOR_PASSWORD)
                .withFileSystemBind("docker/postgres-init", "/docker-entrypoint-initdb.d", BindMode.READ_ONLY)
                .withCommand("postgres", "-c", "wal_level=logical")
                .withExposedPorts(5432)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
        connect = new GenericContainer<>("quay.io/debezium/connect:3.6.1.Final")
                .withNetwork(network)
                .withEnv("BOOTSTRAP_SERVERS", "kafka:19092")
                .withEnv("GROUP_ID", "cdc-connect")
                .withEnv("CONFIG_STORAGE_TOPIC", "my_connect_configs")
                .withEnv("OFFSET_STORAGE_TOPIC", "my_connect_offsets")
                .withEnv("STATUS_STORAGE_TOPIC", "my_connect_statuses")
                .withEnv("CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_STATUS_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_CONNECTOR_CLIENT_CONFIG_OVERRIDE_POLICY", "None")
                // debezium_connect.json requires it (exactly.once.support=required), as in docker-compose.yml
                .withEnv("CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT", "enabled")
                .withEnv("CONNECT_CONFIG_PROVIDERS", "env")
                .withEnv("CONNECT_CONFIG_PROVIDERS_ENV_CLASS", "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
                .withEnv("CDC_CONNECTOR_PASSWORD", CONNECTOR_PASSWORD)
                .withExposedPorts(8083)
                .dependsOn(kafka, postgres)
                .waitingFor(Wait.forHttp("/connector-plugins").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        Startables.deepStart(kafka, postgres, connect).join();
    }

    @AfterAll
    static void stopContainers() {
        for (AutoCloseable c : new AutoCloseable[] {connect, postgres, kafka, network}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort: Testcontainers' reaper removes what is left
                }
            }
        }
    }

    private static void sql(String... statements) throws Exception {
        String url = "jdbc:postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/postgres";
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    @Test
    void shouldPrintInsertUpdateAndDeleteFromTheContainers() throws Exception {
        Path output = workDir.resolve("output");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("cdc.mode", "external");
        props.put("cdc.kafka.brokers", kafka.getBootstrapServers());
        props.put("cdc.connect.url", "http://" + connect.getHost() + ":" + connect.getMappedPort(8083));
        props.put("cdc.postgres.host", postgres.getHost());
        props.put("cdc.postgres.port", Integer.toString(postgres.getMappedPort(5432)));
        // debezium_connect.json as it is (database.hostname "postgres"), except for one broker here
        props.put("cdc.connector.config.topic.creation.default.replication.factor", "1");
        props.put("cdc.output.dir", output.toString());
        props.put("cdc.api.port", Integer.toString(Ports.freePort()));
        props.put("camel.main.routes-reload-enabled", "false");

        org.apache.camel.main.Main app = CdcApplication.newMain();
        props.forEach(app::addOverrideProperty);
        app.start();
        try {
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> app.getCamelContext().getRegistry().findSingleByType(ConnectorRegistration.class).state() == ConnectorRegistration.State.RUNNING);
            Path file = output.resolve("postgres.debezium.product.log");
            await().atMost(Duration.ofMinutes(1)).until(() -> OutputEntries.read(file).size() == 1);
            assertThat(OutputEntries.read(file).get(0).op()).isEqualTo("r");

            sql("INSERT INTO debezium.product VALUES (2, 'new')",
                    "UPDATE debezium.product SET name = 'renamed' WHERE id = 2",
                    "DELETE FROM debezium.product WHERE id = 2");

            await().atMost(Duration.ofMinutes(1)).until(() -> OutputEntries.read(file).size() == 5);
            List<Entry> events = OutputEntries.read(file).subList(1, 5);
            assertThat(events).extracting(Entry::op).containsExactly("c", "u", "d", null);
            assertThat(events.get(1).json().path("before").path("name").asText()).isEqualTo("new");
            assertThat(events.get(1).json().path("after").path("name").asText()).isEqualTo("renamed");
            assertThat(events.get(3).text()).isEqualTo("tombstone (null value) for key Struct{id=2}\n");
        } finally {
            app.stop();
        }
    }
}
