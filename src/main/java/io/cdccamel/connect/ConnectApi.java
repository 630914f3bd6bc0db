package io.cdccamel.connect;

import io.cdccamel.base.Published;
import io.cdccamel.settings.ConnectSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.time.Duration;

/**
 * The calls this app makes to Kafka Connect's REST API ({@code cdc.connect.url}) for one
 * connector, each one camel-http request answered by a {@link ConnectAnswer}. Each call is its
 * own exchange, so no header of the exchange that asks (a platform-http request's) leaks into it.
 * A call that gets no answer at all (refused, timed out) throws. The app's only Connect client:
 * registration, the API, the streaming watch and the live view all call through it, so
 * {@link ConnectAuth} applies to every call.
 */
@Published
public final class ConnectApi {

    /** Answers are handled by status code, and nothing hangs. */
    private static final String HTTP_OPTIONS = "throwExceptionOnFailure=false&connectTimeout=2000&responseTimeout=";
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(15);
    private static final String JSON = "application/json";

    private final CamelContext context;
    private final ProducerTemplate http;
    private final ConnectorDefinition definition;
    private final ConnectSettings settings;
    private final String connector;
    private final ConnectAuth auth;
    private final String url;
    private final String options;

    /** One template for all calls: it caches the producers. The app binds one ({@link ConnectConfiguration}). */
    public ConnectApi(CamelContext context, ConnectorDefinition definition, ConnectSettings settings) {
        this(context, context.createProducerTemplate(), definition, settings, RESPONSE_TIMEOUT);
    }

    private ConnectApi(CamelContext context, ProducerTemplate http, ConnectorDefinition definition, ConnectSettings settings,
                       Duration responseTimeout) {
        this.context = context;
        this.http = http;
        this.definition = definition;
        this.settings = settings;
        this.connector = "/connectors/" + definition.name();
        this.auth = ConnectAuth.from(settings);
        this.url = settings.url();
        this.options = HTTP_OPTIONS + responseTimeout.toMillis();
    }

    /** The same client, with answers awaited {@code responseTimeout} at most (the live view's probe: 3 s). */
    public ConnectApi withResponseTimeout(Duration responseTimeout) {
        return new ConnectApi(context, http, definition, settings, responseTimeout);
    }

    /** The connector's name, as registered. */
    public String connectorName() {
        return definition.name();
    }

    /** {@code cdc.connect.url}, which the calls go to. */
    public String url() {
        return url;
    }

    /** {@code GET /connector-plugins}: ready once it lists the connector's class. */
    public ConnectAnswer plugins() throws Exception {
        return call("GET", "/connector-plugins", null);
    }

    /** {@code GET /connectors/<name>}: 404 while it does not exist, else its config. */
    public ConnectAnswer connector() throws Exception {
        return call("GET", connector, null);
    }

    /** {@code PUT /connector-plugins/<class>/config/validate}: Connect's verdict without creating anything. */
    public ConnectAnswer validate() throws Exception {
        return call("PUT", "/connector-plugins/" + definition.config("connector.class") + "/config/validate",
                definition.configJson());
    }

    /** {@code POST /connectors}: create it. */
    public ConnectAnswer create() throws Exception {
        return call("POST", "/connectors", definition.toJson());
    }

    /** {@code PUT /connectors/<name>/config}: apply the file's config to a connector that exists. */
    public ConnectAnswer putConfig() throws Exception {
        return call("PUT", connector + "/config", definition.configJson());
    }

    /** {@code GET /connectors/<name>/status}. */
    public ConnectAnswer status() throws Exception {
        return call("GET", connector + "/status", null);
    }

    /** {@code GET /connectors/<name>/offsets}: the source positions Connect stores for the connector. */
    public ConnectAnswer offsets() throws Exception {
        return call("GET", connector + "/offsets", null);
    }

    /** {@code POST /connectors/<name>/restart}, of the failed connector and tasks only. */
    public ConnectAnswer restartFailed() throws Exception {
        return call("POST", connector + "/restart?includeTasks=true&onlyFailed=true", null);
    }

    /** {@code PUT /connectors/<name>/pause}: 202; Connect keeps the connector paused (its target state) until a resume. */
    public ConnectAnswer pause() throws Exception {
        return call("PUT", connector + "/pause", null);
    }

    /** {@code PUT /connectors/<name>/resume}: 202. */
    public ConnectAnswer resume() throws Exception {
        return call("PUT", connector + "/resume", null);
    }

    /**
     * {@code POST /connectors/<name>/restart?includeTasks=..&onlyFailed=..}, Connect's own choice: 202 with the
     * status in which the parts it restarts read RESTARTING, or 204 (the connector alone, both false).
     */
    public ConnectAnswer restart(boolean includeTasks, boolean onlyFailed) throws Exception {
        return call("POST", connector + "/restart?includeTasks=" + includeTasks + "&onlyFailed=" + onlyFailed, null);
    }

    private ConnectAnswer call(String method, String path, String json) throws Exception {
        String uri = url + path + (path.contains("?") ? "&" : "?") + options;
        Exchange answer = http.send(uri, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
            if (auth.authorization() != null) {
                exchange.getMessage().setHeader(ConnectAuth.HEADER, auth.authorization());
            }
            if (json != null) {
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, JSON);
                exchange.getMessage().setBody(json);
            }
        });
        if (answer.getException() != null) {
            throw answer.getException();
        }
        return new ConnectAnswer(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                answer.getMessage().getBody(String.class));
    }
}
