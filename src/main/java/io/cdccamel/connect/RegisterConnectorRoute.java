package io.cdccamel.connect;

import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Route {@code register-connector} and its steps against Connect's REST API ({@link ConnectApi}).
 * On every tick (unless backing off): wait until Connect lists the connector's plugin; then, in
 * the same tick, {@code GET /connectors/<name>}. On 404: validate the config, then {@code POST /connectors}. On
 * 200: apply a config that differs from the file with {@code PUT .../config}, read the status, and
 * restart failed parts. Connection refused, timeouts, 409 and 5xx are retried with backoff.
 */
public class RegisterConnectorRoute extends RouteBuilder {

    public static final String ROUTE_ID = "register-connector";
    static final String CREATE = "direct:create-connector";
    static final String RECONCILE = "direct:reconcile-connector";

    private final ConnectApi connect;
    private final ConnectorRegistration registration;
    private final RegistrationLock lock;

    public RegisterConnectorRoute(ConnectApi connect, ConnectorRegistration registration, RegistrationLock lock) {
        this.connect = connect;
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
        // no answer at all is no error of the app: the registration says so once and backs off
        onException(IOException.class)
            .handled(true)
            .bean(registration, "onUnreachable(${exception})");

        from("timer:" + ROUTE_ID + "?delay={{cdc.connect.initial-delay.ms}}&period={{cdc.connect.poll.ms}}")
            .routeId(ROUTE_ID)
            .filter(method(registration, "shouldAttempt"))
            .choice()
                .when(method(registration, "isConnectReady").isEqualTo(false))
                    .bean(connect, "plugins")
                    .bean(registration, "onPlugins")
            .end()
            // the tick that finds Connect ready goes on to the connector (not one period later)
            .filter(method(registration, "isConnectReady"))
            .bean(connect, "connector")
            .choice()
                .when(ConnectAnswer.hasStatus(200))
                    .to(RECONCILE)
                .when(ConnectAnswer.hasStatus(404))
                    .to(CREATE)
                .otherwise()
                    .bean(registration, "onUnexpected");

        from(CREATE)
            .routeId("create-connector")
            .bean(registration, "onMissing")
            // Connect's POST is not atomic: two apps posting within the same herder tick both get
            // 201. A random pause and a second look let a faster instance finish first.
            .delay(method(RegisterConnectorRoute.class, "jitter(${properties:cdc.connect.post-jitter.ms})"))
                .syncDelayed() // the tick waits: the timer never starts a second attempt meanwhile
            .bean(connect, "connector")
            .filter(ConnectAnswer.hasStatus(404))
            // one instance creates it: the others wait for it to appear
            .filter(method(this, "claimed"))
            .bean(connect, "validate")
            .filter(method(registration, "onValidation"))
            .bean(connect, "create")
            .bean(registration, "onPostAnswer");

        from(RECONCILE)
            .routeId("reconcile-connector")
            .filter(method(registration, "hasDrifted"))
                .bean(connect, "putConfig")
                .bean(registration, "onPutAnswer")
            .end()
            .bean(connect, "status")
            .filter(method(registration, "onStatus"))
            .bean(connect, "restartFailed")
            .bean(registration, "onRestartAnswer");
    }
}
