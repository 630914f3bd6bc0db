package io.cdccamel.base;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A health check of the app's own ({@code cdc} group in {@code /observe/health}) that says whether it
 * can do its work now, not whether it should be restarted: readiness only. What each one watches
 * recovers by itself or needs a person (a connector not running yet, a slot retaining too much, a
 * step that fails), and a restart would not mend it.
 */
public abstract class ReadinessCheck extends AbstractHealthCheck {

    protected ReadinessCheck(String id) {
        super("cdc", id);
    }

    @Override
    public final boolean isLiveness() {
        return false;
    }
}
