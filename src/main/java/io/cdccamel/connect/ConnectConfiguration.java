package io.cdccamel.connect;

import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.api.ApiSecurity;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The connector's definition (the file with this mode's overrides), its watch, and the lock that
 * lets one app instance create it; {@link RegistrationConfiguration} wires its registration on these.
 */
@Configuration
public class ConnectConfiguration implements CamelConfiguration {

    public static final String CONNECTOR_FILE = "cdc.connector.file";

    /** {@code debezium_connect.json} with this mode's {@code cdc.connector.config.*} overrides. */
    @BindToRegistry
    public ConnectorDefinition connectorDefinition(CamelContext camel) {
        SettingsReader settings = new SettingsReader(camel.getPropertiesComponent());
        ConnectorDefinition definition = ConnectorDefinition.load(Path.of(settings.text(CONNECTOR_FILE, "debezium_connect.json")),
                settings.text(ConnectorDefinition.NAME_PROPERTY, ""), settings.withPrefix(ConnectorDefinition.OVERRIDE_PREFIX));
        LoggerFactory.getLogger(ConnectConfiguration.class).info("Connector {} from {}{}", definition.name(),
                definition.origin(), definition.overridden().isEmpty() ? ""
                        : ", with " + definition.overridden().keySet() + " set by this mode");
        return definition;
    }

    /** Whether the connector streams, and the snapshot's progress: what the banner and the live view show. */
    @BindToRegistry(StreamingWatch.BEAN)
    public StreamingWatch streamingWatch(CamelContext camel, ConnectSettings connect, StackModeSettings stack,
                                         ConnectorDefinition definition, ApiSecurity apiSecurity) {
        StreamingWatch watch = new StreamingWatch(new ConnectApi(camel, definition), definition, stack.embedded(), camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "streaming-watch"),
                state -> Banner.print(camel.getPropertiesComponent(), state, apiSecurity));
        watch.progress().estimateRowsWith(PgRowEstimates.from(camel));
        return watch;
    }

    @BindToRegistry(destroyMethod = "close")
    public KafkaRegistrationLock registrationLock(StackModeSettings stack, ConnectorDefinition definition,
                                                 ConnectSettings connect, KafkaClientSettings clientSettings) {
        return new KafkaRegistrationLock(stack.brokers(), definition.name(), Duration.ofMillis(connect.claimTtlMillis()),
                clientSettings);
    }
}
