package io.cdccamel.connect;

import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiReplies;
import io.cdccamel.api.ApiRestRoutes;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code GET /api/connector}: the connector's and its tasks' states as Kafka Connect reports them,
 * with what route {@code register-connector} last saw; 503 unless Connect answers 200. The path is
 * declared in {@link io.cdccamel.api.ApiRestRoutes}.
 */
public class ConnectorApiRoute extends RouteBuilder {

    public static final String ROUTE_ID = ApiRestRoutes.SHOW_CONNECTOR;

    private final ConnectApi connect;
    private final ConnectorRegistration registration;

    public ConnectorApiRoute(ConnectApi connect, ConnectorRegistration registration) {
        this.connect = connect;
        this.registration = registration;
    }

    @Override
    public void configure() {
        from("direct:" + ROUTE_ID)
            .routeId(ROUTE_ID)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .bean(connect, "status")
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_RESPONSE_CODE, method(StatusReport.class, "httpStatus"))
            .setHeader(Exchange.CONTENT_TYPE, constant(ApiReplies.JSON))
            .bean(new StatusReport(connect.connectorName(), registration), "render");
    }
}
