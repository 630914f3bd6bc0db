package io.cdccamel.search;

import io.cdccamel.base.AtStart;
import io.cdccamel.store.WrittenPositions;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.SearchSettings;
import io.cdccamel.settings.StackModeSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;


/**
 * The search over the printed history: the indexer beside the output (its own thread, started with
 * Camel), {@code GET /api/events}, its health check and metrics.
 */
@Configuration
public class SearchConfiguration implements CamelConfiguration {

    @BindToRegistry(destroyMethod = "close")
    public OutputIndexer outputIndexer(SearchSettings search, OutputSettings output, StackModeSettings stack,
                                       PostgresSettings postgres, WrittenPositions writtenPositions) {
        if (!search.enabled()) {
            return null;
        }
        indexer = new OutputIndexer(output.dir(), search.dir(stack.dir()), writtenPositions::length, new PgKeyColumns(postgres),
                search.intervalMillis());
        return indexer;
    }

    /** The indexer this class bound, or null when the search is off. */
    private OutputIndexer indexer;

    /** {@code GET /api/events}; it says so when the search is off (lazy: made once the indexer's method has run). */
    @BindToRegistry(lazy = true)
    public SearchApiRoute searchApiRoute() {
        return new SearchApiRoute(indexer);
    }

    /** The indexer's health and meters, and its start with Camel, when the search is on. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        OutputIndexer i = indexer;
        if (i == null) {
            return;
        }
        // the indexer's health (DOWN while the index cannot be written) and meters, as beans beside it
        camel.getRegistry().bind("searchHealthCheck", new SearchHealthCheck(i));
        camel.getRegistry().bind("searchMeters", MeterBinder.class, (MeterBinder) registry -> {
            FunctionCounter.builder("cdc.search.indexed", i, OutputIndexer::indexedCount)
                    .description("Printed events added to the search index since start").register(registry);
            Gauge.builder("cdc.search.failing", i, x -> x.failure() == null ? 0 : 1)
                    .description("1 while the search index cannot be written (see the ERROR line and /observe/health)")
                    .register(registry);
        });
        camel.addStartupListener(AtStart.once(started -> i.start()));
    }
}
