package io.cdccamel.api;

import io.cdccamel.base.Published;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;

/**
 * The HTTP API's paths, in Camel's REST DSL on the platform-http server ({@code cdc.api.host:cdc.api.port}),
 * with its OpenAPI document at {@value #OPENAPI}. Each path calls its feature's route by id
 * ({@code direct:<route-id>}): the work and its error policy stay in the feature's package, and route
 * tests call them without a server. Answers below 300 are objects, written as JSON by the binding;
 * errors are written by the routes themselves ({@link ApiReplies}). {@link RequestGuard} runs before
 * all of it, on the server's router. A new endpoint: a route in its feature's package, one verb here.
 */
@Published
public class ApiRestRoutes extends RouteBuilder {

    public static final String OPENAPI = "/api/openapi.json";
    /*
     * The ids of the routes the paths call (direct:<id>), named here so that this package imports
     * none of the features' packages, which import it (its error policy and replies).
     */
    public static final String SHOW_CONNECTOR = "show-connector";
    public static final String PAUSE_CONNECTOR = "pause-connector";
    public static final String RESUME_CONNECTOR = "resume-connector";
    public static final String RESTART_CONNECTOR = "restart-connector";
    public static final String LIST_TOPICS = "list-topics";
    public static final String DESCRIBE_TOPIC = "describe-topic";
    public static final String CONTROL_BROKER = "control-broker";
    public static final String SNAPSHOT_TABLE = "snapshot-table";
    public static final String LIST_TABLES = "list-tables";
    public static final String SEARCH_EVENTS = "search-events";


    @Override
    public void configure() {
        restConfiguration()
            .component("platform-http")
            .bindingMode(RestBindingMode.json)
            .dataFormatProperty("prettyPrint", "true")
            // each path's route keeps its own id and error policy, and stays callable from direct: in tests
            .inlineRoutes(false)
            .apiContextPath(OPENAPI)
            // the OpenAPI document's route has a name too (Camel would call it route1)
            .apiContextRouteId("get-openapi")
            .apiProperty("api.title", "cdc-camel API")
            .apiProperty("api.description", "Connector status and control, Kafka topics and brokers, table snapshots. "
                    + "A POST needs the app's own page (same Origin) or Authorization: Bearer <token>.")
            .apiProperty("api.version", "1");

        rest("/api").description("cdc-camel's operations API")
            .get("/connector")
                .description("The connector's and its tasks' states as Kafka Connect reports them, with what "
                        + "route register-connector last saw; 503 unless Connect answers")
                .produces(ApiReplies.JSON)
                .routeId("get-connector")
                .to("direct:" + SHOW_CONNECTOR)
            .post("/connector/pause")
                .description("Pauses the connector in Kafka Connect (it stays paused, across restarts, until resumed; the "
                        + "app does not resume or restart it) and answers with the state reached; reason: kept with the pause")
                .produces(ApiReplies.JSON)
                .param().name("reason").type(RestParamType.query).required(false)
                    .description("why (shown with the pause, at most 500 characters)").endParam()
                .routeId("post-connector-pause")
                .to("direct:" + PAUSE_CONNECTOR)
            .post("/connector/resume")
                .description("Resumes the paused connector and answers with the state reached")
                .produces(ApiReplies.JSON)
                .routeId("post-connector-resume")
                .to("direct:" + RESUME_CONNECTOR)
            .post("/connector/restart")
                .description("Restarts the connector as Kafka Connect's POST /connectors/<name>/restart: the connector alone "
                        + "(default), with its tasks (includeTasks=true), or only what FAILED (onlyFailed=true); names the "
                        + "parts restarted and answers with the state reached")
                .produces(ApiReplies.JSON)
                .param().name("includeTasks").type(RestParamType.query).required(false)
                    .description("restart the tasks too (default false)").endParam()
                .param().name("onlyFailed").type(RestParamType.query).required(false)
                    .description("only the parts that FAILED (default false)").endParam()
                .routeId("post-connector-restart")
                .to("direct:" + RESTART_CONNECTOR)
            .get("/topics")
                .description("The cluster's topics (kafka-topics --list); internal marks Kafka's and Connect's own")
                .produces(ApiReplies.JSON)
                .routeId("get-topics")
                .to("direct:" + LIST_TOPICS)
            .get("/topics/{name}")
                .description("One topic's partitions, leaders, replicas and ISR (kafka-topics --describe); "
                        + "Accept: text/plain gives kafka-topics' own text")
                .produces(ApiReplies.JSON + ",text/plain")
                // content negotiation: the route writes JSON or text itself
                .bindingMode(RestBindingMode.off)
                .param().name("name").type(RestParamType.path).description("the topic").endParam()
                .routeId("get-topic")
                .to("direct:" + DESCRIBE_TOPIC)
            .post("/brokers/{id}/{action}")
                .description("Stops or starts one broker of the embedded stack (409 with docker-compose)")
                .produces(ApiReplies.JSON)
                .param().name("id").type(RestParamType.path).description("the broker's node id").endParam()
                .param().name("action").type(RestParamType.path).description("stop or start")
                    .allowableValues("stop", "start").endParam()
                .routeId("post-broker-action")
                .to("direct:" + CONTROL_BROKER)
            .get("/events")
                .description("The printed history, newest first, a page at a time (docs/search.md): table, key "
                        + "({\"id\":4711} or 4711), op (c,u,d,r,t,m,tombstone), from/to (ISO-8601, source.ts_ms), limit "
                        + "(50, at most 500), before (the next cursor of the page before); 400 with a reason for a bad one")
                .produces(ApiReplies.JSON)
                // the route writes the output's exact JSON itself (numbers as printed)
                .bindingMode(RestBindingMode.off)
                .param().name("table").type(RestParamType.query).required(false).description("schema.table or topic").endParam()
                .param().name("key").type(RestParamType.query).required(false).description("the key's JSON or value").endParam()
                .param().name("op").type(RestParamType.query).required(false).description("c,u,d,r,t,m,tombstone").endParam()
                .param().name("from").type(RestParamType.query).required(false).description("ISO-8601 instant, inclusive").endParam()
                .param().name("to").type(RestParamType.query).required(false).description("ISO-8601 instant, exclusive").endParam()
                .param().name("limit").type(RestParamType.query).required(false).description("1 to 500, default 50").endParam()
                .param().name("before").type(RestParamType.query).required(false).description("cursor: next of the previous page").endParam()
                .routeId("get-events")
                .to("direct:" + SEARCH_EVENTS);

        rest("/api")
            .get("/tables")
                .description("Each captured table with its snapshot job: requested, running, done or failed (with the "
                        + "reason), rows read, last activity; failedTables counts the failed ones")
                .produces(ApiReplies.JSON)
                .routeId("get-tables")
                .to("direct:" + LIST_TABLES)
            .post("/tables/{table}/snapshot")
                .description("Debezium reads the table again (an incremental snapshot; streaming goes on); "
                        + "404 names the captured tables, 409 says a snapshot of the table is requested or runs already")
                .produces(ApiReplies.JSON)
                .param().name("table").type(RestParamType.path).description("schema.table").endParam()
                .param().name("filter").type(RestParamType.query).required(false)
                    .description("an SQL condition: only the rows it selects").endParam()
                .routeId("post-table-snapshot")
                .to("direct:" + SNAPSHOT_TABLE);
    }
}
