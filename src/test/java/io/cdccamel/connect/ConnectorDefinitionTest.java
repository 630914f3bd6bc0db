package io.cdccamel.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectorDefinitionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldApplyTheModesOverridesToTheFile() {
        ConnectorDefinition d = ConnectorDefinition.load(Path.of("debezium_connect.json"),
                Map.of("database.hostname", "localhost", "database.port", "15432"));

        assertThat(d.name()).isEqualTo("product_connector");
        assertThat(d.config("database.hostname")).isEqualTo("localhost");
        assertThat(d.config("database.port")).isEqualTo("15432");
        assertThat(d.configNode().get("name").asText()).isEqualTo("product_connector");
        assertThat(d.overridden()).containsOnlyKeys("database.hostname", "database.port");
    }

    @Test
    void shouldUseDebezium3NamesInTheShippedFile() {
        ConnectorDefinition d = ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of());

        assertThat(d.config("topic.prefix")).isEqualTo("postgres");
        assertThat(d.config("plugin.name")).isEqualTo("pgoutput");
        assertThat(d.config("value.converter.schemas.enable")).isEqualTo("false");
        assertThat(d.config("key.converter")).isEqualTo("org.apache.kafka.connect.storage.StringConverter");
        assertThat(d.config("topic.creation.default.replication.factor")).isEqualTo("3");
        assertThat(d.config("topic.creation.default.partitions")).isEqualTo("3");
    }

    @Test
    void shouldRequireExactlyOnceSourceSupportOfTheWorker() {
        ConnectorDefinition d = ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of());

        // "required", not "requested": a worker without it refuses the connector instead of running it with re-sends
        assertThat(d.config("exactly.once.support")).isEqualTo("required");
        assertThat(d.config("transaction.boundary")).isEqualTo("poll");
    }

    @Test
    void shouldHoldNoLiteralPasswordAndNoSuperuserInTheShippedFile() {
        ConnectorDefinition d = ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of());

        assertThat(d.config("database.password"))
                .as("a config provider reference such as ${env:NAME} or ${file:path:key}, never the password")
                .matches("\\$\\{(env|file|directory):[^}]+}");
        assertThat(d.config("database.user")).isNotEqualTo("postgres");
        assertThat(d.config("publication.autocreate.mode")).isEqualTo("disabled");
    }

    @Test
    void shouldRejectDebezium1NamesNamingTheirDebezium3Keys() throws Exception {
        var old = MAPPER.readTree("{\"name\":\"c\",\"config\":{\"database.server.name\":\"postgres\","
                + "\"table.whitelist\":\"debezium.product\"}}");

        assertThatThrownBy(() -> ConnectorDefinition.parse("old.json", old, Map.of()))
                .hasMessageContaining("database.server.name (Debezium 3: topic.prefix)")
                .hasMessageContaining("table.whitelist (Debezium 3: table.include.list)");
    }

    @Test
    void shouldRejectAFileThatIsNotAConnector() throws Exception {
        assertThatThrownBy(() -> ConnectorDefinition.parse("x.json", MAPPER.readTree("{\"config\":{}}"), Map.of()))
                .hasMessageContaining("must be {\"name\": \"...\", \"config\": {...}}");
    }
}
