package io.cdccamel.search;

import io.cdccamel.events.WrittenPositions;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The search over the printed history: the indexer beside the output (its own thread, started with
 * Camel), {@code GET /api/events}, its health check and metrics.
 */
@Configuration
public class SearchConfiguration implements CamelConfiguration {

    public static final String ENABLED = "cdc.search.enabled";
    /** Default: {@code <cdc.stack.dir>/search} ({@code data/search}). */
    public static final String DIR = "cdc.search.dir";
    public static final String INTERVAL_MS = "cdc.search.interval.ms";

    @BindToRegistry(destroyMethod = "close")
    public OutputIndexer outputIndexer(CamelContext camel, OutputSettings output, StackModeSettings stack,
                                       PostgresSettings postgres, WrittenPositions writtenPositions) {
        boolean enabled = SettingsReader.read(camel, s -> s.flag(ENABLED, true));
        if (!enabled) {
            return null;
        }
        Path dir = SettingsReader.read(camel, s -> Path.of(s.text(DIR, stack.dir().resolve("search").toString())));
        long interval = SettingsReader.read(camel, s -> s.whole(INTERVAL_MS, 500, 10));
        return new OutputIndexer(output.dir(), dir, writtenPositions::length, new PgKeyColumns(postgres), interval);
    }

    @Override
    public void configure(CamelContext camel) throws Exception {
        // the indexer is bound by now (a bean method's order among the others is not)
        OutputIndexer indexer = camel.getRegistry().lookupByNameAndType("outputIndexer", OutputIndexer.class);
        camel.addRoutes(new SearchApiRoute(indexer));
        if (indexer == null) {
            return;
        }
        HealthCheckRegistry.get(camel).register(new SearchHealthCheck(indexer));
        try {
            addStartupListener(camel, indexer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addStartupListener(CamelContext camel, OutputIndexer indexer) throws Exception {
        camel.addStartupListener((started, alreadyStarted) -> {
            indexer.start();
            MeterRegistry registry = started.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (registry == null) {
                registry = started.getRegistry().findSingleByType(MeterRegistry.class);
            }
            if (registry == null) {
                LoggerFactory.getLogger(SearchConfiguration.class).warn("No Micrometer registry: cdc.search.* are not in /observe/metrics");
                return;
            }
            FunctionCounter.builder("cdc.search.indexed", indexer, OutputIndexer::indexedCount)
                    .description("Printed events added to the search index since start").register(registry);
            Gauge.builder("cdc.search.failing", indexer, i -> i.failure() == null ? 0 : 1)
                    .description("1 while the search index cannot be written (see the ERROR line and /observe/health)")
                    .register(registry);
        });
    }
}
