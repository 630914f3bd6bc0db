package io.cdccamel.search;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/** {@code search-index} in {@code /observe/health}: DOWN while the index cannot be written, with the reason. */
public class SearchHealthCheck extends AbstractHealthCheck {

    private final OutputIndexer indexer;

    public SearchHealthCheck(OutputIndexer indexer) {
        super("cdc", "search-index");
        this.indexer = indexer;
    }

    @Override
    public boolean isLiveness() {
        return false;
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
