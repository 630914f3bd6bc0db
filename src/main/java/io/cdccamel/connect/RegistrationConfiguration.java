package io.cdccamel.connect;

import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * The connector's registration, route register-connector, its API and health checks, on the beans
 * {@link ConnectConfiguration} binds first (Camel orders a class's bean methods by their parameter
 * count, which does not follow a chain of three).
 */
@Configuration
public class RegistrationConfiguration implements CamelConfiguration {

    @BindToRegistry
    public ConnectorRegistration connectorRegistration(ConnectorDefinition definition, StreamingWatch watch,
                                                       ConnectSettings connect) {
        return new ConnectorRegistration(definition, watch::start, connect.maxRestarts(), connect.backoffMaxMillis());
    }

    /** Route register-connector, the connector's API and health; external mode: the tables whose writes would fail, as the app does not own that database. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        ConnectorDefinition definition = camel.getRegistry().lookupByNameAndType("connectorDefinition", ConnectorDefinition.class);
        ConnectorRegistration registration = camel.getRegistry().lookupByNameAndType("connectorRegistration",
                ConnectorRegistration.class);
        camel.addRoutes(new RegisterConnectorRoute(definition, registration,
                camel.getRegistry().lookupByNameAndType("registrationLock", KafkaRegistrationLock.class)));
        camel.addRoutes(new ConnectorApiRoute(definition, registration));
        camel.addRoutes(new ConnectorControlRoute(definition, registration));
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        health.register(new ConnectorHealthCheck(registration));
        StackModeSettings stack = camel.getRegistry().lookupByNameAndType("stackModeSettings", StackModeSettings.class);
        if (!stack.embedded()) {
            PostgresSettings postgres = camel.getRegistry().lookupByNameAndType("postgresSettings", PostgresSettings.class);
            KeylessTablesHealthCheck keyless = new KeylessTablesHealthCheck(postgres.jdbcUrl(), postgres.user(), postgres.password());
            keyless.warnAtStart();
            health.register(keyless);
        }
    }
}
