package io.cdccamel.settings;

import io.cdccamel.stack.EmbeddedSecretsProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsTest {

    @Test
    void shouldMaskTheValuesOfSecretKeysOnly() {
        Map<String, String> masked = Secrets.masked(Map.of(
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required password=\"p\";",
                "ssl.truststore.password", "p", "producer.sasl.jaas.config", "x", "client.secret", "s",
                "api.token", "t", "security.protocol", "SASL_SSL", "producer.linger.ms", "10"));
        assertThat(masked).containsEntry("security.protocol", "SASL_SSL").containsEntry("producer.linger.ms", "10");
        assertThat(masked).containsEntry("sasl.jaas.config", Secrets.MASK).containsEntry("ssl.truststore.password", Secrets.MASK)
                .containsEntry("producer.sasl.jaas.config", Secrets.MASK).containsEntry("client.secret", Secrets.MASK)
                .containsEntry("api.token", Secrets.MASK);
        assertThat(new KafkaClientSettings(Map.of("sasl.jaas.config", "secret-value", "security.protocol", "SASL_PLAINTEXT"))
                .toString()).doesNotContain("secret-value").contains("SASL_PLAINTEXT");
    }

    @Test
    void shouldPutTheClientSettingsOverEachClientsOwn() {
        KafkaClientSettings settings = new KafkaClientSettings(Map.of("security.protocol", "SASL_PLAINTEXT"));
        assertThat(settings.over(Map.of("bootstrap.servers", "b:1", "security.protocol", "PLAINTEXT")))
                .containsEntry("bootstrap.servers", "b:1").containsEntry("security.protocol", "SASL_PLAINTEXT");
        assertThatThrownBy(() -> new KafkaClientSettings(Map.of("bootstrap.servers", "x:1")))
                .hasMessageContaining("cdc.kafka.brokers");
    }

    @Test
    void shouldResolveOnlyAllowedEnvironmentVariableNames() throws Exception {
        Path file = Files.createTempFile("secrets", ".properties");
        Files.writeString(file, "CDC_CONNECTOR_PASSWORD=from-file\nOTHER_SECRET=no\n");
        try (EmbeddedSecretsProvider provider = new EmbeddedSecretsProvider()) {
            provider.configure(Map.of(EmbeddedSecretsProvider.SECRETS_FILE, file.toString()));
            // PATH exists in every environment: a name outside the allow-list is not read
            assertThat(provider.get("", Set.of("CDC_CONNECTOR_PASSWORD", "OTHER_SECRET", "PATH")).data())
                    .containsOnlyKeys("CDC_CONNECTOR_PASSWORD");
        }
        // the test JVM ignores the environment (Hermetic): the user's app reads it
        System.clearProperty(Hermetic.PROPERTY);
        try (EmbeddedSecretsProvider provider = new EmbeddedSecretsProvider()) {
            provider.configure(Map.of(EmbeddedSecretsProvider.SECRETS_FILE, file.toString(),
                    EmbeddedSecretsProvider.ALLOWLIST_PATTERN, "PATH|OTHER_.*"));
            assertThat(provider.get("", Set.of("CDC_CONNECTOR_PASSWORD", "OTHER_SECRET", "PATH")).data())
                    .containsOnlyKeys("OTHER_SECRET", "PATH");
        } finally {
            System.setProperty(Hermetic.PROPERTY, "true");
        }
        try (EmbeddedSecretsProvider provider = new EmbeddedSecretsProvider()) {
            provider.configure(Map.of(EmbeddedSecretsProvider.SECRETS_FILE, file.toString(),
                    EmbeddedSecretsProvider.ALLOWLIST_PATTERN, "PATH|OTHER_.*"));
            assertThat(provider.get("", Set.of("CDC_CONNECTOR_PASSWORD", "OTHER_SECRET", "PATH")).data())
                    .as("the build's training run and the tests read the secrets file only").containsOnlyKeys("OTHER_SECRET");
        } finally {
            Files.delete(file);
        }
    }
}
