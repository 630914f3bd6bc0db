package io.cdccamel.connect;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Route {@code register-connector} and its steps, all through camel-http against Connect's REST API.
 * On every tick (unless backing off): wait until Connect lists the connector's plugin; then
 * {@code GET /connectors/<name>}. On 404: validate the config, then {@code POST /connectors}. On
 * 200: apply a config that differs from the file with {@code PUT .../config}, read the status, and
 * restart failed parts. Connection refused, timeouts, 409 and 5xx are retried with backoff.
 */
public class RegisterConnectorRoute extends RouteBuilder {

    public static final String ROUTE_ID = "register-connector";
    static final String CREATE = "direct:create-connector";
    static final String RECONCILE = "direct:reconcile-connector";
    /** Options for every call to Connect: answers are handled by status code, and nothing hangs. */
    static final String HTTP_OPTIONS = "?throwExceptionOnFailure=false&connectTimeout=2000&responseTimeout=15000";

    private final ConnectorDefinition definition;
    private final ConnectorRegistration registration;
    private final RegistrationLock lock;

    public RegisterConnectorRoute(ConnectorDefinition definition, ConnectorRegistration registration,
                                  RegistrationLock lock) {
        this.definition = definition;
        this.registration = registration;
        this.lock = lock;
    }

    /** A random pause of up to {@code maxMillis}, so that apps started together do not post together. */
    public static long jitter(long maxMillis) {
        return maxMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(maxMillis + 1);
    }

    /** Whether this instance may create the connector now; says so once when another one does. */
    public boolean claimed() {
        boolean won = lock.claim();
        if (!won) {
            registration.onClaimedElsewhere();
        }
        return won;
    }

    @Override
    public void configure() {
        String connect = "{{cdc.connect.url}}";
        String connector = connect + "/connectors/" + definition.name();
        String connectorClass = definition.config("connector.class");

        // any call that gets no answer at all (refused, timed out): retried on a later tick
        onException(IOException.class)
            .handled(true)
            .bean(registration, "onUnreachable(${exception})");

        from("timer:" + ROUTE_ID + "?delay={{cdc.connect.initial-delay.ms}}&period={{cdc.connect.poll.ms}}")
            .routeId(ROUTE_ID)
            .filter(method(registration, "shouldAttempt"))
            .choice()
                .when(method(registration, "isConnectReady").isEqualTo(false))
                    .to("direct:get-connect-plugins")
                .otherwise()
                    .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                    .setBody(constant((Object) null))
                    .to(connector + HTTP_OPTIONS)
                    .convertBodyTo(String.class)
                    .choice()
                        .when(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(200))
                            .to(RECONCILE)
                        .when(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(404))
                            .to(CREATE)
                        .otherwise()
                            .bean(registration, "onUnexpected(${header.CamelHttpResponseCode}, ${body})");

        from("direct:get-connect-plugins")
            .routeId("check-connect-ready")
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("GET"))
            .setBody(constant((Object) null))
            .to(connect + "/connector-plugins" + HTTP_OPTIONS)
            .convertBodyTo(String.class)
            .bean(registration, "onPlugins(${header.CamelHttpResponseCode}, ${body})");

        from(CREATE)
            .routeId("create-connector")
            .bean(registration, "onMissing")
            // Connect's POST is not atomic: two apps posting within the same herder tick both get
            // 201. A random pause and a second look let a faster instance finish first.
            .delay(method(RegisterConnectorRoute.class, "jitter(${properties:cdc.connect.post-jitter.ms})"))
                .syncDelayed() // the tick waits: the timer never starts a second attempt meanwhile
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("GET"))
            .setBody(constant((Object) null))
            .to(connector + HTTP_OPTIONS)
            .filter(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(404))
            // one instance creates it: the others wait for it to appear
            .filter(method(this, "claimed"))
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("PUT"))
            .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
            .setBody(method(registration, "configJson"))
            .to(connect + "/connector-plugins/" + connectorClass + "/config/validate" + HTTP_OPTIONS)
            .convertBodyTo(String.class)
            .filter(method(registration, "onValidation(${header.CamelHttpResponseCode}, ${body})"))
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("POST"))
            .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
            .setBody(constant(definition.toJson()))
            .to(connect + "/connectors" + HTTP_OPTIONS)
            .convertBodyTo(String.class)
            .bean(registration, "onPostAnswer(${header.CamelHttpResponseCode}, ${body})");

        from(RECONCILE)
            .routeId("reconcile-connector")
            .setBody(method(registration, "configDrift(${body})"))
            .filter(body().isNotNull())
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_METHOD, constant("PUT"))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                .to(connector + "/config" + HTTP_OPTIONS)
                .convertBodyTo(String.class)
                .bean(registration, "onPutAnswer(${header.CamelHttpResponseCode}, ${body})")
            .end()
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("GET"))
            .setBody(constant((Object) null))
            .to(connector + "/status" + HTTP_OPTIONS)
            .convertBodyTo(String.class)
            .filter(method(registration, "onStatus(${body})"))
            .removeHeaders("*")
            .setHeader(Exchange.HTTP_METHOD, constant("POST"))
            .setBody(constant((Object) null))
            .to(connector + "/restart" + HTTP_OPTIONS + "&includeTasks=true&onlyFailed=true")
            .convertBodyTo(String.class)
            .bean(registration, "onRestartAnswer(${header.CamelHttpResponseCode}, ${body})");
    }
}
