package io.cdccamel.settings;

import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pass-through prefixes ({@code cdc.kafka.client.*}, {@code cdc.connector.config.*},
 * {@code cdc.connect.worker.*}) read from environment variables too: {@code CDC_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL}
 * did nothing before, although the docs say every property can be one.
 */
class PassThroughVariablesTest {

    private static PropertiesComponent properties(Map<String, String> overrides) {
        PropertiesComponent pc = (PropertiesComponent) new DefaultCamelContext().getPropertiesComponent();
        pc.setLocation("classpath:application.properties");
        Properties override = new Properties();
        override.putAll(overrides);
        pc.setOverrideProperties(override);
        return pc;
    }

    @Test
    void shouldPassAVariableThroughUnderItsKey() {
        Map<String, String> env = Map.of(
                "CDC_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "CDC_KAFKA_CLIENT_SASL_JAAS_CONFIG", "x required username=\"a\" password=\"p w\";",
                "CDC_KAFKA_CLIENTS_OTHER", "not mine",
                "CDC_KAFKA_CLIENT_", "no key",
                "PATH", "/usr/bin");
        assertThat(SettingsReader.withPrefix(properties(Map.of()), KafkaClientSettings.PREFIX, env))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "security.protocol", "SASL_SSL",
                        "sasl.jaas.config", "x required username=\"a\" password=\"p w\";"));
    }

    @Test
    void shouldReadEveryPassThroughPrefix() {
        Map<String, String> env = Map.of(
                "CDC_CONNECTOR_CONFIG_TABLE_INCLUDE_LIST", "inventory.orders",
                "CDC_CONNECT_WORKER_OFFSET_FLUSH_INTERVAL_MS", "2000");
        PropertiesComponent pc = properties(Map.of());
        assertThat(SettingsReader.withPrefix(pc, ConnectorSettings.OVERRIDE_PREFIX, env))
                .containsEntry("table.include.list", "inventory.orders");
        assertThat(SettingsReader.withPrefix(pc, ConnectSettings.WORKER_PREFIX, env))
                .containsEntry("offset.flush.interval.ms", "2000");
    }

    @Test
    void shouldSpellDashesAndUnderscoresAsConfluentsImagesDo() {
        assertThat(SettingsReader.keyOfVariable("SASL_JAAS_CONFIG")).isEqualTo("sasl.jaas.config");
        assertThat(SettingsReader.keyOfVariable("COLUMN__NAME")).isEqualTo("column_name");
        assertThat(SettingsReader.keyOfVariable("A___B_C")).isEqualTo("a-b.c");
        assertThat(SettingsReader.variableOf("cdc.connect.worker.")).isEqualTo("CDC_CONNECT_WORKER_");
    }

    @Test
    void shouldLetTheVariableWinOverTheFilesAndTheLaunchersOverrideWinOverBoth() {
        Map<String, String> env = Map.of("CDC_KAFKA_CLIENT_CLIENT_RACK", "from-env",
                "CDC_KAFKA_CLIENT_RETRY_BACKOFF_MS", "7");
        PropertiesComponent pc = properties(Map.of(KafkaClientSettings.PREFIX + "client.rack", "from-launcher"));
        Properties files = new Properties();
        files.setProperty(KafkaClientSettings.PREFIX + "retry.backoff.ms", "100");
        files.setProperty(KafkaClientSettings.PREFIX + "linger.ms", "5");
        pc.setInitialProperties(files);
        assertThat(SettingsReader.withPrefix(pc, KafkaClientSettings.PREFIX, env))
                .containsExactlyInAnyOrderEntriesOf(Map.of("client.rack", "from-launcher", "retry.backoff.ms", "7",
                        "linger.ms", "5"));
        pc.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_FALLBACK);
        assertThat(SettingsReader.withPrefix(pc, KafkaClientSettings.PREFIX, env))
                .containsEntry("retry.backoff.ms", "100");
    }

    @Test
    void shouldReadNoVariableWhenTheAppIgnoresTheEnvironment() {
        PropertiesComponent pc = properties(Map.of());
        pc.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        assertThat(SettingsReader.withPrefix(pc, KafkaClientSettings.PREFIX,
                Map.of("CDC_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"))).isEmpty();
    }
}
