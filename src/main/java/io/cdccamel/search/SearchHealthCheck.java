package io.cdccamel.search;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;

import java.util.Map;

/** {@code search-index} in {@code /observe/health}: DOWN while the index cannot be written, with the reason. */
public class SearchHealthCheck extends ReadinessCheck {

    private final OutputIndexer indexer;

    public SearchHealthCheck(OutputIndexer indexer) {
        super("search-index");
        this.indexer = indexer;
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        SearchIndex index = indexer.index();
        builder.detail("search-indexed", index == null ? 0 : index.count());
        builder.detail("search-rebuilding", indexer.rebuilding());
        String failure = indexer.failure();
        if (failure != null) {
            builder.message(failure);
            builder.down();
        } else {
            builder.up();
        }
    }
}
