package io.cdccamel.api;

import io.cdccamel.base.Published;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteConfigurationBuilder;

import java.util.Map;

/**
 * The error policy of the HTTP API routes ({@code /api/...}), which opt in with
 * {@code .routeConfigurationId(ApiErrorPolicy.ID)}: whatever the route could not do (Kafka or
 * Connect down or slow) is a 503 with the reason as JSON, not a stack trace per request.
 */
@Published
public class ApiErrorPolicy extends RouteConfigurationBuilder {

    public static final String ID = "api-error-policy";

    @Override
    public void configuration() {
        routeConfiguration(ID)
            .onException(Exception.class)
                .handled(true)
                .process(ApiErrorPolicy::serviceUnavailable);
    }

    private static void serviceUnavailable(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(ApiReplies.written(Map.of("error", String.valueOf(cause.getMessage()))));
    }
}
