package io.cdccamel.connect;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Route {@code register-connector}: on every tick, {@code GET /connectors/<name>}; on 404,
 * {@code POST /connectors} with {@code debezium_connect.json}; on 200, read the connector's status.
 * Connection refused, timeouts, 409 and 5xx are retried on the next tick.
 */
public class RegisterConnectorRoute extends RouteBuilder {

    public static final String ROUTE_ID = "register-connector";
    /** Options for every call to Connect: answers are handled by status code, and nothing hangs. */
    static final String HTTP_OPTIONS = "?throwExceptionOnFailure=false&connectTimeout=2000&responseTimeout=15000";

    private final ConnectorDefinition definition;
    private final ConnectorRegistration registration;

    public RegisterConnectorRoute(ConnectorDefinition definition, ConnectorRegistration registration) {
        this.definition = definition;
        this.registration = registration;
    }

    /** A random pause of up to {@code maxMillis}, so that apps started together do not post together. */
    public static long jitter(long maxMillis) {
        return maxMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(maxMillis + 1);
    }

    @Override
    public void configure() {
        String connector = "{{cdc.connect.url}}/connectors/" + definition.name();

        from("timer:" + ROUTE_ID + "?delay={{cdc.connect.initial-delay.ms}}&period={{cdc.connect.poll.ms}}")
            .routeId(ROUTE_ID)
            .doTry()
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                .setBody(constant((Object) null))
                .to(connector + HTTP_OPTIONS)
                .convertBodyTo(String.class)
                .choice()
                    .when(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(200))
                        .removeHeaders("*")
                        .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                        .to(connector + "/status" + HTTP_OPTIONS)
                        .convertBodyTo(String.class)
                        .bean(registration, "onStatus(${body})")
                    .when(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(404))
                        .bean(registration, "onMissing")
                        // Connect's POST is not atomic: two apps posting within the same herder tick
                        // both get 201. A random pause and a second look make that unlikely.
                        .delay(method(RegisterConnectorRoute.class, "jitter(${properties:cdc.connect.post-jitter.ms})"))
                        .removeHeaders("*")
                        .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                        .setBody(constant((Object) null))
                        .to(connector + HTTP_OPTIONS)
                        .filter(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(404))
                            .removeHeaders("*")
                            .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                            .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                            .setBody(constant(definition.toJson()))
                            .to("{{cdc.connect.url}}/connectors" + HTTP_OPTIONS)
                            .convertBodyTo(String.class)
                            .bean(registration, "onPostAnswer(${header.CamelHttpResponseCode}, ${body})")
                        .end()
                        .endChoice()
                    .otherwise()
                        .bean(registration, "onUnexpected(${header.CamelHttpResponseCode}, ${body})")
                .endDoTry()
            .doCatch(IOException.class)
                .bean(registration, "onUnreachable(${exception})")
            .end();
    }
}
