package io.cdccamel.connect;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code GET /api/connector}: the connector's and its tasks' states as Kafka Connect reports them,
 * with what route {@code register-connector} last saw.
 */
public class ConnectorApiRoute extends RouteBuilder {

    public static final String ROUTE_ID = "show-connector";

    private final ConnectorDefinition definition;
    private final ConnectorRegistration registration;

    public ConnectorApiRoute(ConnectorDefinition definition, ConnectorRegistration registration) {
        this.definition = definition;
        this.registration = registration;
    }

    @Override
    public void configure() {
        from("platform-http:/api/connector?httpMethodRestrict=GET")
            .routeId(ROUTE_ID)
            .doTry()
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                .setBody(constant((Object) null))
                .to("{{cdc.connect.url}}/connectors/" + definition.name() + "/status" + RegisterConnectorRoute.HTTP_OPTIONS)
                .convertBodyTo(String.class)
                .bean(registration, "statusReport(${header.CamelHttpResponseCode}, ${body})")
            .doCatch(Exception.class)
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                .bean(registration, "statusReport(503, ${exception.message})")
            .end()
            .process(e -> {
                int code = e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
                e.getMessage().removeHeaders("*");
                e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code == 200 ? 200 : 503);
                e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            });
    }
}
