package io.cdccamel.base;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * Work done once, as Camel starts. Camel calls its startup listeners again each time routes are
 * started while it runs (a YAML route's reload), with {@code alreadyStarted} true: a listener that
 * registers a gauge, mounts a handler, installs a guard or schedules a check would do it again at
 * every reload. Every startup listener of the app is made here.
 */
public final class AtStart {

    /** What is done at the start. */
    @FunctionalInterface
    public interface Step {
        void run(CamelContext started) throws Exception;
    }

    private AtStart() {
    }

    /** A startup listener that runs {@code step} when Camel starts, and not when routes start later. */
    public static StartupListener once(Step step) {
        return (context, alreadyStarted) -> {
            if (!alreadyStarted) {
                step.run(context);
            }
        };
    }
}
