package io.cdccamel.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiReplies;
import io.cdccamel.api.ApiRestRoutes;
import io.cdccamel.events.ExactJson;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/events}: the printed history searched through the {@link SearchIndex}. Its path
 * is declared in {@link ApiRestRoutes}; the answer is written here, with the output's exact JSON
 * (numbers as printed), not the REST binding's mapper.
 */
public class SearchApiRoute extends RouteBuilder {

    public static final String SEARCH_EVENTS = ApiRestRoutes.SEARCH_EVENTS;
    static final List<String> PARAMETERS = List.of("table", "key", "op", "from", "to", "limit", "before");
    private static final ObjectMapper JSON = ExactJson.newObjectMapper();

    private final OutputIndexer indexer;
    private final EventSearch search;

    public SearchApiRoute(OutputIndexer indexer) {
        this.indexer = indexer;
        this.search = indexer == null ? null : new EventSearch(indexer);
    }

    @Override
    public void configure() {
        from("direct:" + SEARCH_EVENTS)
            .routeId(SEARCH_EVENTS)
            .routeConfigurationId(ApiErrorPolicy.ID)
            .process(this::search);
    }

    private void search(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        if (search == null) {
            reply(exchange, 503, Map.of("error", "Search is off (cdc.search.enabled=false)"));
            return;
        }
        Map<String, String> params = new HashMap<>();
        for (String name : PARAMETERS) {
            String value = in.getHeader(name, String.class);
            if (value != null) {
                params.put(name, value);
            }
        }
        long started = System.nanoTime();
        EventSearch.Page page;
        try {
            page = search.search(EventSearch.Query.parse(params));
        } catch (EventSearch.BadQueryException e) {
            reply(exchange, 400, Map.of("error", e.getMessage()));
            return;
        } catch (IllegalStateException e) {
            reply(exchange, 503, Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", page.events());
        body.put("next", page.next());
        body.put("indexed", page.indexed());
        body.put("tookMillis", (System.nanoTime() - started) / 1_000_000.0);
        if (indexer.failure() != null) {
            body.put("warning", indexer.failure());
        } else if (indexer.rebuilding()) {
            body.put("warning", "The search index is being built from the output files: older events may be missing");
        }
        reply(exchange, 200, body);
    }

    private static void reply(Exchange exchange, int status, Object body) throws Exception {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, ApiReplies.JSON);
        out.setBody(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
    }
}
