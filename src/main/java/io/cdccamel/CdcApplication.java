package io.cdccamel;

import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.StackStartException;
import io.cdccamel.settings.BadSettingsException;
import io.cdccamel.settings.SettingsCheck;
import org.apache.camel.main.Main;

import java.util.List;

/** Camel Main entry point: {@link CdcConfiguration} declares the beans, routes/ holds the YAML routes. */
public final class CdcApplication {

    private CdcApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = newMain();
        try {
            main.run(args);
        } catch (Exception e) {
            // bad settings or a port that stops the start: one line each, not a stack trace
            for (String line : reasons(e)) {
                System.err.println("cdc-camel: " + line);
            }
            System.exit(2);
        }
    }

    /** Every bad setting, one line each, when that is what stopped the start; else {@link #reason}. */
    static List<String> reasons(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BadSettingsException bad) {
                return bad.lines();
            }
        }
        return List.of(reason(e));
    }

    /** The stack's own message, else the innermost cause's (a bad value names its property there). */
    static String reason(Throwable e) {
        Throwable innermost = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof StackStartException) {
                return c.getMessage();
            }
            innermost = c;
        }
        return innermost.getClass().getSimpleName() + ": " + innermost.getMessage();
    }

    /** The app's Camel Main: what {@link #main} runs, and what tests start in-process. */
    public static Main newMain() {
        Main main = new Main();
        // every setting is read and checked before anything starts
        main.addMainListener(new SettingsCheck());
        main.configure().addConfiguration(CdcConfiguration.class);
        // your own PostgreSQL (cdc.postgres.embedded=false) is checked before anything starts
        main.addMainListener(new io.cdccamel.capture.CaptureListener.OwnDatabasePreflight());
        // starts the embedded stack (cdc.mode=embedded) before Camel builds the beans
        main.addMainListener(new EmbeddedStackListener());
        // then brings the source database in line with what the connector file captures
        main.addMainListener(new io.cdccamel.capture.CaptureListener());
        return main;
    }
}
