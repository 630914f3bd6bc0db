package io.cdccamel.capture;

import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiReplies;
import io.cdccamel.api.ApiRestRoutes;
import io.cdccamel.connect.StreamingWatch;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/tables/{schema.table}/snapshot[?filter=<SQL condition>]}: Debezium reads the
 * table again (an incremental snapshot: streaming goes on; a blocking one for a table without a
 * key), its rows printed as {@code op: "r"}; {@code filter} (Debezium's
 * {@code additional-conditions}) limits it to part of the table. 404 names the captured tables,
 * 409 says a snapshot of the table is requested or runs already (one job per
 * table, {@link SnapshotJobs}). {@code GET /api/tables} lists each captured table with its job. A POST: the request guard lets only the app's own page and
 * token holders send it. The path is declared in {@link io.cdccamel.api.ApiRestRoutes}.
 */
public class SnapshotApiRoutes extends RouteBuilder {

    public static final String ROUTE_ID = ApiRestRoutes.SNAPSHOT_TABLE;

    private final CaptureSync sync;
    private final StreamingWatch watch;

    /** @param sync the capture's sync with the source database, or null where this start prepared none (route tests) */
    public SnapshotApiRoutes(CaptureSync sync, StreamingWatch watch) {
        this.watch = watch;
        this.sync = sync;
    }

    @Override
    public void configure() {
        from("direct:" + ROUTE_ID)
            .routeId(ROUTE_ID)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(this::snapshot);
        from("direct:" + ApiRestRoutes.LIST_TABLES)
            .routeId(ApiRestRoutes.LIST_TABLES)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(this::list);
    }

    /** Where this start prepared no capture: 503 saying so (the paths exist in every app; the answer says why not here). */
    private boolean noCapture(Exchange exchange) {
        if (sync != null) {
            return false;
        }
        reply(exchange, 503, Map.of("error", "This app prepared no capture at its start (see its log's io.cdccamel.capture "
                + "lines): there are no snapshot jobs to show or ask for"));
        return true;
    }

    private void snapshot(Exchange exchange) throws Exception {
        if (noCapture(exchange)) {
            return;
        }
        Message in = exchange.getMessage();
        String table = in.getHeader("table", String.class);
        String filter = in.getHeader("filter", String.class);
        if (!sync.captured().contains(table)) {
            reply(exchange, 404, Map.of("error", "Table " + table + " is not captured", "captured", sync.captured()));
            return;
        }
        // one job per table: a request while one is requested or running (a second click, two clients at once) is 409
        String type = sync.snapshot(table, filter == null || filter.isBlank() ? null : filter);
        if (type == null) {
            reply(exchange, 409, Map.of("error", "A snapshot of " + table + " is requested or runs already; ask again once it "
                    + "is done or failed (GET /api/tables, the log and the live page show its state)"));
            return;
        }
        watch.followSnapshot(Set.of(table));
        log.info("Snapshot of {} asked for through the API{}", table, filter == null ? "" : " (filter: " + filter + ")");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("table", table);
        body.put("snapshot", type);
        if (filter != null && !filter.isBlank()) {
            body.put("filter", filter);
        }
        reply(exchange, 202, body);
    }

    /** {@code GET /api/tables}: each captured table with its snapshot job's state. */
    private void list(Exchange exchange) throws Exception {
        if (noCapture(exchange)) {
            return;
        }
        reply(exchange, 200, sync.tablesView());
    }

    private static void reply(Exchange exchange, int status, Object body) {
        ApiReplies.reply(exchange, status, body);
    }
}
