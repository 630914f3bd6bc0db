package io.cdccamel.connect;

import io.cdccamel.api.ApiSecurity;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.ConnectorSettings;
import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The connector's definition (the file with this mode's overrides), its watch, and the lock that
 * lets one app instance create it; {@link RegistrationConfiguration} wires its registration on these.
 */
@Configuration
public class ConnectConfiguration implements CamelConfiguration {

    /** {@code debezium_connect.json} with this mode's {@code cdc.connector.config.*} overrides. */
    @BindToRegistry
    public ConnectorDefinition connectorDefinition(ConnectorSettings connector) {
        ConnectorDefinition definition = ConnectorDefinition.load(connector);
        LoggerFactory.getLogger(ConnectConfiguration.class).info("Connector {} from {}{}", definition.name(),
                definition.origin(), definition.overridden().isEmpty() ? ""
                        : ", with " + definition.overridden().keySet() + " set by this mode");
        return definition;
    }

    /** The app's one Kafka Connect client: registration, the API, the streaming watch and the live view call through it. */
    @BindToRegistry
    public ConnectApi connectApi(CamelContext camel, ConnectorDefinition definition, ConnectSettings connect) {
        return new ConnectApi(camel, definition, connect);
    }

    /** Whether the connector streams, and the snapshot's progress: what the banner and the live view show. */
    @BindToRegistry(StreamingWatch.BEAN)
    public StreamingWatch streamingWatch(CamelContext camel, StackModeSettings stack, PostgresSettings postgres,
                                         ConnectorDefinition definition, ConnectApi connectApi, Banner banner) {
        StreamingWatch watch = new StreamingWatch(connectApi, definition, stack.embedded(),
                camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "streaming-watch"), banner::print);
        watch.progress().estimateRowsWith(PgRowEstimates.from(postgres));
        return watch;
    }

    /** Where everything listens, printed once the connector streams. */
    @BindToRegistry
    public Banner banner(StackModeSettings stack, PostgresSettings postgres, ConnectSettings connect, OutputSettings output,
                         ApiSettings api, ApiSecurity apiSecurity) {
        return new Banner(stack, postgres, connect, output, api, apiSecurity);
    }

    @BindToRegistry(destroyMethod = "close")
    public KafkaRegistrationLock registrationLock(StackModeSettings stack, ConnectorDefinition definition,
                                                 ConnectSettings connect, KafkaClientSettings clientSettings) {
        return new KafkaRegistrationLock(stack.brokers(), definition.name(), Duration.ofMillis(connect.claimTtlMillis()),
                clientSettings);
    }
}
