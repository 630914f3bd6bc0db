package io.cdccamel;

import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.StackStartException;
import org.apache.camel.main.Main;

/** Camel Main entry point: {@link CdcConfiguration} declares the beans, routes/ holds the YAML routes. */
public final class CdcApplication {

    private CdcApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = newMain();
        try {
            main.run(args);
        } catch (Exception e) {
            // a setting or a port that stops the start: one line, not a stack trace
            String bad = main.getCamelContext() == null ? null : badSetting(main.getCamelContext().getPropertiesComponent());
            System.err.println("cdc-camel: " + (bad != null ? bad : reason(e)));
            System.exit(2);
        }
    }

    /** The first setting of the configuration classes whose value is not of its type (Camel's error names the value only). */
    static String badSetting(org.apache.camel.spi.PropertiesComponent pc) {
        for (java.lang.reflect.Field field : fields(CdcConfiguration.class, io.cdccamel.route.PrintRouteConfiguration.class)) {
            org.apache.camel.PropertyInject inject = field.getAnnotation(org.apache.camel.PropertyInject.class);
            String value = inject == null ? null : pc.resolveProperty(inject.value()).map(String::trim).orElse(null);
            if (value == null) {
                continue;
            }
            Class<?> type = field.getType();
            if (type == boolean.class && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                return inject.value() + " must be true or false, not '" + value + "'";
            }
            try {
                if (type == int.class) {
                    Integer.parseInt(value);
                } else if (type == long.class) {
                    Long.parseLong(value);
                }
            } catch (NumberFormatException e) {
                return inject.value() + " must be a whole number, not '" + value + "'";
            }
        }
        return null;
    }

    private static java.util.List<java.lang.reflect.Field> fields(Class<?>... configurations) {
        return java.util.Arrays.stream(configurations).flatMap(c -> java.util.Arrays.stream(c.getDeclaredFields())).toList();
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
        main.configure().addConfiguration(io.cdccamel.route.PrintRouteConfiguration.class);
        // your own PostgreSQL (cdc.postgres.embedded=false) is checked before anything starts
        main.addMainListener(new io.cdccamel.capture.CaptureListener.OwnDatabasePreflight());
        // starts the embedded stack (cdc.mode=embedded) before Camel builds the beans
        main.addMainListener(new EmbeddedStackListener());
        // then brings the source database in line with what the connector file captures
        main.addMainListener(new io.cdccamel.capture.CaptureListener());
        return main;
    }
}
