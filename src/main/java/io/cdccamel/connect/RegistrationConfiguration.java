package io.cdccamel.connect;

import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;

/**
 * The connector's registration, route register-connector, its API and health checks, each a bean
 * whose parameters are the beans {@link ConnectConfiguration} binds first (Camel Main adds the route
 * builders and the health checks it finds bound).
 */
@Configuration
public class RegistrationConfiguration implements CamelConfiguration {

    @BindToRegistry
    public ConnectorRegistration connectorRegistration(ConnectorDefinition definition, StreamingWatch watch,
                                                       ConnectSettings connect) {
        return new ConnectorRegistration(definition, watch::start, connect.maxRestarts(), connect.backoffMaxMillis());
    }

    /** Route register-connector: creates the connector, or brings it in line with the file. */
    @BindToRegistry(lazy = true)
    public RegisterConnectorRoute registerConnectorRoute(ConnectApi connect, ConnectorRegistration registration,
                                                         KafkaRegistrationLock registrationLock) {
        return new RegisterConnectorRoute(connect, registration, registrationLock);
    }

    /** {@code GET /api/connector}. */
    @BindToRegistry(lazy = true)
    public ConnectorApiRoute connectorApiRoute(ConnectApi connect, ConnectorRegistration registration) {
        return new ConnectorApiRoute(connect, registration);
    }

    /** {@code POST /api/connector/pause|resume|restart}. */
    @BindToRegistry(lazy = true)
    public ConnectorControlRoute connectorControlRoute(ConnectApi connect, ConnectorRegistration registration) {
        return new ConnectorControlRoute(connect, registration);
    }

    /** The connector's health (Camel's health registry includes the checks bound here). */
    @BindToRegistry(lazy = true)
    public ConnectorHealthCheck connectorHealthCheck(ConnectorRegistration registration) {
        return new ConnectorHealthCheck(registration);
    }

    /** External mode: the tables whose writes would fail, as the app does not own that database (none embedded). */
    @BindToRegistry
    public KeylessTablesHealthCheck keylessTablesHealthCheck(StackModeSettings stack, PostgresSettings postgres) {
        if (stack.embedded()) {
            return null;
        }
        KeylessTablesHealthCheck keyless = new KeylessTablesHealthCheck(postgres.jdbcUrl(), postgres.user(), postgres.password());
        keyless.warnAtStart();
        return keyless;
    }
}
