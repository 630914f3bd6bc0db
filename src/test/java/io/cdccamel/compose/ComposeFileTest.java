package io.cdccamel.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml read as Compose reads it (merge keys resolved): the facts the application's
 * external mode and debezium_connect.json rely on. CI also parses it with docker-compose itself.
 */
class ComposeFileTest {

    private static Map<String, Map<String, Object>> services;
    private static Properties app;
    private static JsonNode connector;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        try (Reader in = Files.newBufferedReader(Path.of("docker-compose.yml"))) {
            Map<String, Object> compose = new Yaml().load(in);
            services = (Map<String, Map<String, Object>>) compose.get("services");
        }
        app = new Properties();
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        // the cdc.* defaults are the typed records' (application.properties only shows them)
        app.putAll(io.cdccamel.settings.SettingsCheck.defaults());
        connector = new ObjectMapper().readTree(Path.of("debezium_connect.json").toFile());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(String service) {
        return (Map<String, Object>) services.get(service).get("environment");
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(String service) {
        return (List<String>) services.get(service).getOrDefault("ports", List.of());
    }

    private static List<String> kafkaServices() {
        return services.keySet().stream().filter(s -> s.startsWith("kafka-")).sorted().toList();
    }

    @Test
    void shouldRunThreeKafkaNodesInKraftModeWithAQuorumOfThreeVoters() {
        assertThat(kafkaServices()).containsExactly("kafka-1", "kafka-2", "kafka-3");
        List<Object> ids = new ArrayList<>();
        for (String kafka : kafkaServices()) {
            Map<String, Object> env = env(kafka);
            assertThat(env.get("KAFKA_PROCESS_ROLES").toString()).contains("controller").contains("broker");
            assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").toString().split(",")).hasSize(3);
            assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
            assertThat(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR")).hasToString("3");
            assertThat(env.get("KAFKA_NUM_PARTITIONS")).hasToString("3");
            assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).hasToString("2");
            assertThat(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR")).hasToString("3");
            assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")).hasToString("3");
            ids.add(env.get("KAFKA_NODE_ID"));
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void shouldPublishTheHostPortsTheAppUsesInExternalMode() {
        List<String> brokerPorts = List.of(app.getProperty("cdc.kafka.brokers").trim().split(","));
        List<String> published = kafkaServices().stream().flatMap(s -> ports(s).stream())
                .map(p -> "localhost:" + p.split(":")[1]).toList();
        assertThat(published).containsExactlyElementsOf(brokerPorts);
        for (String kafka : kafkaServices()) {
            String hostPort = ports(kafka).get(0).split(":")[1];
            assertThat(env(kafka).get("KAFKA_ADVERTISED_LISTENERS").toString()).contains("localhost:" + hostPort);
        }
        int connectPort = URI.create(app.getProperty("cdc.connect.url").trim()).getPort();
        assertThat(ports("connect")).containsExactly("127.0.0.1:" + connectPort + ":8083");
        assertThat(ports("postgres")).containsExactly("127.0.0.1:" + app.getProperty("cdc.postgres.port").trim() + ":5432");
    }

    @Test
    void shouldPublishEveryPortOnLoopbackOnly() {
        List<String> all = services.keySet().stream().flatMap(s -> ports(s).stream()).toList();
        assertThat(all).isNotEmpty().allMatch(p -> p.startsWith("127.0.0.1:"));
    }

    @Test
    void shouldPinEveryImage() {
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            String image = String.valueOf(service.getValue().get("image"));
            assertThat(image).as(service.getKey()).matches(".+:[^:/]+").doesNotEndWith(":latest");
        }
    }

    @Test
    void shouldRunPostgresWithLogicalDecoding() {
        @SuppressWarnings("unchecked")
        List<String> command = (List<String>) services.get("postgres").get("command");
        assertThat(command).contains("wal_level=logical");
    }

    @Test
    void shouldReplicateConnectsInternalTopicsThreeTimes() {
        Map<String, Object> env = env("connect");
        assertThat(env.get("CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR")).hasToString("3");
        assertThat(env.get("CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR")).hasToString("3");
        assertThat(env.get("CONNECT_STATUS_STORAGE_REPLICATION_FACTOR")).hasToString("3");
        List<String> internal = List.of(app.getProperty("cdc.connect.internal-topics").trim().split(","));
        assertThat(List.of(env.get("CONFIG_STORAGE_TOPIC"), env.get("OFFSET_STORAGE_TOPIC"), env.get("STATUS_STORAGE_TOPIC")))
                .map(String::valueOf).containsExactlyElementsOf(internal);
        assertThat(env.get("BOOTSTRAP_SERVERS").toString().split(",")).hasSize(3);
    }

    @Test
    void shouldRunConnectWithExactlyOnceSourceSupportAsTheConnectorRequires() {
        assertThat(env("connect").get("CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT")).hasToString("enabled");
        assertThat(env("connect").get("CONNECT_PRODUCER_TRANSACTION_TIMEOUT_MS"))
                .hasToString(io.cdccamel.stack.ConnectWorker.COMPOSE_TRANSACTION_TIMEOUT_MS);
        assertThat(env("connect").get("CONNECT_PRODUCER_RETRY_BACKOFF_MS"))
                .hasToString(io.cdccamel.stack.ConnectWorker.PRODUCER_RETRY_BACKOFF_MS);
        assertThat(connector.path("config").path("exactly.once.support").asText()).isEqualTo("required");
        // Connect's transactions need the brokers' transaction log replicated as the topics are
        for (String kafka : kafkaServices()) {
            assertThat(env(kafka).get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")).hasToString("3");
            assertThat(env(kafka).get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")).hasToString("2");
        }
    }

    @Test
    void shouldBatchTheConnectorsProducerAsTheEmbeddedWorkerDoes() {
        assertThat(env("connect").get("CONNECT_PRODUCER_BATCH_SIZE")).hasToString(io.cdccamel.stack.ConnectWorker.PRODUCER_BATCH_SIZE);
    }

    @Test
    void shouldLetConnectReachTheDatabaseTheConnectorFileNames() {
        JsonNode config = connector.path("config");
        String host = config.path("database.hostname").asText();
        assertThat(services).as("database.hostname must be a compose service").containsKey(host);
        assertThat(ports(host).get(0)).endsWith(":" + config.path("database.port").asText());
        String kafkaAddresses = env("connect").get("BOOTSTRAP_SERVERS").toString();
        for (String kafka : kafkaServices()) {
            assertThat(kafkaAddresses).contains(kafka + ":");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldGiveTheConnectorALeastPrivilegeRoleAndItsPasswordThroughTheEnvironment() throws IOException {
        Map<String, Object> env = env("connect");
        assertThat(env.get("CONNECT_CONNECTOR_CLIENT_CONFIG_OVERRIDE_POLICY")).hasToString("None");
        assertThat(env.get("CONNECT_CONFIG_PROVIDERS")).hasToString("env");
        assertThat(env.get("CONNECT_CONFIG_PROVIDERS_ENV_CLASS"))
                .hasToString("org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        String reference = connector.path("config").path("database.password").asText();
        String variable = reference.replaceAll("^\\$\\{env:(.+)}$", "$1");
        assertThat(env).containsKey(variable);
        assertThat(env("postgres")).containsKey(variable);
        List<String> volumes = (List<String>) services.get("postgres").get("volumes");
        assertThat(volumes).anyMatch(v -> v.startsWith("./docker/postgres-init:/docker-entrypoint-initdb.d"));
        String init = Files.readString(Path.of("docker/postgres-init/10-cdc-connector.sh"));
        String user = connector.path("config").path("database.user").asText();
        assertThat(init).contains("CREATE ROLE " + user + " WITH LOGIN REPLICATION NOSUPERUSER")
                .contains("CREATE PUBLICATION " + connector.path("config").path("publication.name").asText());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStartConnectOnlyOnceItsDependenciesAreHealthy() {
        Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) services.get("connect").get("depends_on");
        assertThat(dependsOn.keySet()).containsExactlyInAnyOrder("postgres", "kafka-1", "kafka-2", "kafka-3");
        assertThat(dependsOn.values().stream().map(d -> d.get("condition")).collect(Collectors.toSet()))
                .containsExactly("service_healthy");
        for (String service : services.keySet()) {
            assertThat(services.get(service)).as(service + " healthcheck").containsKey("healthcheck");
        }
    }

    @Test
    void shouldSayTheRecordLimitEverywhereABigRowPasses() {
        String ceiling = Integer.toString(io.cdccamel.stack.RecordLimits.CEILING_BYTES);
        for (String kafka : kafkaServices()) {
            assertThat(String.valueOf(env(kafka).get("KAFKA_MESSAGE_MAX_BYTES"))).as(kafka).isEqualTo(ceiling);
            assertThat(String.valueOf(env(kafka).get("KAFKA_REPLICA_FETCH_MAX_BYTES"))).as(kafka).isEqualTo(ceiling);
            assertThat(String.valueOf(env(kafka).get("KAFKA_SOCKET_REQUEST_MAX_BYTES"))).as(kafka)
                    .isEqualTo(Integer.toString(io.cdccamel.stack.RecordLimits.REQUEST_BYTES));
        }
        assertThat(String.valueOf(env("connect").get("CONNECT_PRODUCER_MAX_REQUEST_SIZE"))).isEqualTo(ceiling);
        assertThat(connector.path("config").path("topic.creation.default.max.message.bytes").asText()).isEqualTo(ceiling);
        assertThat(app.getProperty("camel.component.kafka.max-request-size")).isEqualTo(ceiling);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunTheAppsImageInExternalModeAgainstTheServicesWithItsReadinessAsHealthCheck() throws Exception {
        Map<String, Object> service = services.get("cdc-camel");
        String pom = Files.readString(Path.of("pom.xml"));
        java.util.regex.Matcher version = java.util.regex.Pattern
                .compile("<artifactId>cdc-camel</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(version.find()).isTrue();
        assertThat(service.get("image")).as("the tag mvn -Pimage package gives").isEqualTo("cdc-camel:" + version.group(1));
        assertThat((List<String>) service.get("profiles")).as("docker compose up alone serves the app on the host")
                .containsExactly("app");
        Map<String, Object> env = env("cdc-camel");
        assertThat(env.get("CDC_MODE")).isEqualTo("external");
        List<String> brokers = kafkaServices().stream().map(k -> k + ":" + env(k).get("KAFKA_ADVERTISED_LISTENERS")
                .toString().replaceFirst(".*PLAINTEXT://" + k + ":(\\d+).*", "$1")).toList();
        assertThat(List.of(env.get("CDC_KAFKA_BROKERS").toString().split(","))).isEqualTo(brokers);
        assertThat(env.get("CDC_CONNECT_URL")).isEqualTo("http://connect:8083");
        assertThat(env.get("CDC_POSTGRES_HOST")).isEqualTo("postgres");
        assertThat(((Map<String, Object>) service.get("depends_on")).keySet())
                .containsExactlyInAnyOrder("postgres", "kafka-1", "kafka-2", "kafka-3", "connect");
        assertThat(ports("cdc-camel")).containsExactly("127.0.0.1:" + app.getProperty("cdc.api.port").trim() + ":8090");
        assertThat((List<String>) service.get("volumes")).anyMatch(v -> v.endsWith(":/var/lib/cdc-camel"));
        List<String> test = (List<String>) ((Map<String, Object>) service.get("healthcheck")).get("test");
        assertThat(test).startsWith("CMD", "java").contains("/app/classes").endsWith("io.cdccamel.ops.ReadyProbe");
        assertThat(Class.forName("io.cdccamel.ops.ReadyProbe")).isNotNull();
        assertThat(io.cdccamel.api.RequestGuard.PROBE_PATHS).contains("/observe/health/ready");
    }
}
