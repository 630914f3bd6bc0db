package io.cdccamel.settings;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsCheckTest {

    /** application.properties, with {@code keysAndValues} set over it as -D would. */
    private static PropertiesComponent properties(String... keysAndValues) {
        PropertiesComponent pc = new DefaultCamelContext().getPropertiesComponent();
        pc.setLocation("classpath:application.properties");
        Properties override = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            override.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        pc.setOverrideProperties(override);
        return pc;
    }

    @Test
    void shouldFindNothingWrongWithTheDefaults() {
        assertThat(SettingsCheck.problems(properties())).isEmpty();
    }

    @Test
    void shouldNameTheSettingWhoseValueIsNotANumber() {
        assertThat(SettingsCheck.problems(properties("cdc.consumer.batch.size", "abc")))
                .containsExactly("cdc.consumer.batch.size must be a whole number of at least 1, not 'abc'");
    }

    @Test
    void shouldNameTheSettingWhoseValueIsNotABoolean() {
        assertThat(SettingsCheck.problems(properties("cdc.output.sync", "yes")))
                .containsExactly("cdc.output.sync must be true or false, not 'yes'");
    }

    @Test
    void shouldNameTheAllowedChoices() {
        assertThat(SettingsCheck.problems(properties("cdc.mode", "bogus")))
                .containsExactly("cdc.mode must be 'embedded' or 'external', not 'bogus'");
    }

    @Test
    void shouldListEveryBadValueNotOnlyTheFirst() {
        assertThat(SettingsCheck.problems(properties(
                "cdc.postgres.port", "70000",
                "cdc.kafka.ports", "9092,9093",
                "cdc.consumer.on-lost-offsets", "stop",
                "cdc.output.max-bytes", "-1",
                "cdc.connect.url", "localhost:8083")))
                .containsExactly(
                        "cdc.kafka.ports must list 3 ports, comma-separated, not '9092,9093'",
                        "cdc.postgres.port must be a port number from 0 (any free port) to 65535, not '70000'",
                        "cdc.connect.url must be an http:// or https:// URL, not 'localhost:8083'",
                        "cdc.consumer.on-lost-offsets must be 'continue' or 'fail', not 'stop'",
                        "cdc.output.max-bytes must be a whole number of at least 0, not '-1'");
    }

    @Test
    void shouldFailTheStartWithOneLinePerBadValue() {
        PropertiesComponent pc = properties("cdc.consumer.threads", "0", "cdc.capture.refresh.ms", "often");
        assertThatThrownBy(() -> {
            SettingsReader settings = new SettingsReader(pc);
            ConsumerSettings.read(settings);
            CaptureSettings.read(settings);
            settings.check();
        }).isInstanceOfSatisfying(BadSettingsException.class, e -> assertThat(e.lines()).containsExactly(
                "cdc.consumer.threads must be a whole number of at least 1, not '0'",
                "cdc.capture.refresh.ms must be a whole number of at least 0, not 'often'"));
    }

    @Test
    void shouldAskAPostgresOfTheUsersWithComposesPasswordUnlessOneIsSet() {
        assertThat(PostgresSettings.read(new SettingsReader(properties("cdc.mode", "external"))).password())
                .isEqualTo("postgres");
        assertThat(PostgresSettings.read(new SettingsReader(properties("cdc.postgres.embedded", "false"))).password())
                .isEqualTo("postgres");
        PostgresSettings given = PostgresSettings.read(new SettingsReader(properties("cdc.postgres.password", "s3cret pw")));
        assertThat(given.password()).isEqualTo("s3cret pw");
        assertThat(given.toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldBindTheDocumentedDefaults() {
        SettingsReader settings = new SettingsReader(properties());
        assertThat(OutputSettings.read(settings)).isEqualTo(new OutputSettings(Path.of("output"), true, 0));
        ConsumerSettings consumer = ConsumerSettings.read(settings);
        assertThat(consumer.batchSize()).isEqualTo(500);
        assertThat(consumer.batchWaitMillis()).isEqualTo(10);
        assertThat(consumer.failOnLostOffsets()).as("records deleted unprinted stop the start by default").isTrue();
        assertThat(consumer.topicsPattern()).isTrue();
        ConnectSettings connect = ConnectSettings.read(settings);
        assertThat(connect.maxRestarts()).isEqualTo(5);
        assertThat(connect.internalTopics()).containsExactly("my_connect_configs", "my_connect_offsets", "my_connect_statuses");
        PostgresSettings postgres = PostgresSettings.read(settings);
        assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
        assertThat(postgres.password()).as("the embedded PostgreSQL's: generated by the stack").isEmpty();
        assertThat(StackModeSettings.read(settings).kafkaPorts()).containsExactly(9092, 9093, 9094);
        assertThat(CaptureSettings.read(settings).slotMaxRetainedBytes()).isEqualTo(4_000_000_000L);
        assertThat(ConnectorSettings.read(settings)).isEqualTo(new ConnectorSettings(Path.of("debezium_connect.json"), "", Map.of()));
        assertThat(DeadLetterSettings.read(settings)).isEqualTo(new DeadLetterSettings("cdc-camel.dead-letter", "kafka:cdc-camel.dead-letter"));
        ApiSettings api = ApiSettings.read(settings);
        assertThat(api.url()).isEqualTo("http://127.0.0.1:8090");
        assertThat(api.tokenFile()).isEqualTo(Path.of("data/api-token"));
        assertThat(api.managementPort()).isEqualTo(8090);
        assertThat(api.consoleActions()).isFalse();
        LiveSettings live = LiveSettings.read(settings);
        assertThat(live.group()).isEqualTo("cdc-camel-live");
        assertThat(live.pushMillis()).isEqualTo(300);
        assertThat(live.lagRecordsKept()).isEqualTo(16384);
        assertThat(settings.problems()).isEmpty();
    }

    @Test
    void shouldNameATopicPatternThatIsNoRegularExpression() {
        assertThat(SettingsCheck.problems(properties("cdc.topics", "postgres.(debezium")))
                .containsExactly("cdc.topics must be a regular expression (cdc.topics.pattern=true), not 'postgres.(debezium': "
                        + "Unclosed group");
        ConsumerSettings names = ConsumerSettings.read(new SettingsReader(properties("cdc.topics", "a.b, c.d",
                "cdc.topics.pattern", "false")));
        assertThat(names.topicRegex().matcher("a.b").matches()).isTrue();
        assertThat(names.topicRegex().matcher("axb").matches()).as("a name, not a pattern").isFalse();
        assertThat(names.topicRegex().matcher("c.d").matches()).isTrue();
    }

    @Test
    void shouldNameTheKafkaClientSettingsEachClientSetsItself() {
        SettingsReader settings = new SettingsReader(properties("cdc.kafka.client.bootstrap.servers", "elsewhere:9092",
                "cdc.kafka.client.security.protocol", "SASL_SSL"));
        KafkaClientSettings clients = KafkaClientSettings.read(settings);
        assertThat(clients.asMap()).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        assertThat(settings.problems()).containsExactly("cdc.kafka.client.bootstrap.servers cannot be set: each client sets "
                + "bootstrap.servers from the app's own settings (cdc.kafka.brokers for bootstrap.servers)");
    }

    @Test
    void shouldTellTheConnectorOverridesByTheirKeysAndTheApiTokenNever() {
        SettingsReader settings = new SettingsReader(properties("cdc.connector.config.database.password", "s3cret",
                "cdc.api.token", "t0ken", "cdc.api.token-file", ""));
        ConnectorSettings connector = ConnectorSettings.read(settings);
        assertThat(connector.overrides()).containsEntry("database.password", "s3cret");
        assertThat(connector.toString()).contains("database.password").doesNotContain("s3cret");
        ApiSettings api = ApiSettings.read(settings);
        assertThat(api.token()).isEqualTo("t0ken");
        assertThat(api.tokenFile()).isNull();
        assertThat(api.toString()).doesNotContain("t0ken");
    }
}
