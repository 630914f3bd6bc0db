package io.cdccamel;

import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.StackStartException;
import org.apache.camel.main.Main;

/** Camel Main entry point: {@link CdcConfiguration} declares the beans, routes/ holds the YAML routes. */
public final class CdcApplication {

    private CdcApplication() {
    }

    public static void main(String[] args) throws Exception {
        try {
            newMain().run(args);
        } catch (Exception e) {
            // a setting or a port that stops the start: one line, not a stack trace
            System.err.println("cdc-camel: " + reason(e));
            System.exit(2);
        }
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
        main.configure().addConfiguration(CdcConfiguration.class);
        // starts the embedded stack (cdc.mode=embedded) before Camel builds the beans
        main.addMainListener(new EmbeddedStackListener());
        return main;
    }
}
