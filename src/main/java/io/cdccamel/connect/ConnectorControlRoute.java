package io.cdccamel.connect;

import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiRestRoutes;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code POST /api/connector/pause|resume|restart}: the connector controlled through Kafka Connect's
 * own calls ({@link ConnectorControl}); the paths are declared in {@link ApiRestRoutes}, behind the
 * token of the state-changing API ({@link io.cdccamel.api.RequestGuard}).
 */
public class ConnectorControlRoute extends RouteBuilder {

    public static final String PAUSE = ApiRestRoutes.PAUSE_CONNECTOR;
    public static final String RESUME = ApiRestRoutes.RESUME_CONNECTOR;
    public static final String RESTART = ApiRestRoutes.RESTART_CONNECTOR;

    private final ConnectApi connect;
    private final ConnectorRegistration registration;

    public ConnectorControlRoute(ConnectApi connect, ConnectorRegistration registration) {
        this.connect = connect;
        this.registration = registration;
    }

    @Override
    public void configure() {
        ConnectorControl control = new ConnectorControl(connect, registration,
                ConnectorControl.SETTLE);

        from("direct:" + PAUSE)
            .routeId(PAUSE)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(control::pause);

        from("direct:" + RESUME)
            .routeId(RESUME)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(control::resume);

        from("direct:" + RESTART)
            .routeId(RESTART)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(control::restart);
    }
}
