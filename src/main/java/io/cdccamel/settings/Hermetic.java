package io.cdccamel.settings;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The app without the user's environment: with the JVM system property {@value #PROPERTY}{@code =true}
 * (set by the build's training run, {@code CdsTraining}, and by the test JVMs) no setting comes from
 * an environment variable: not {@code CDC_*} through Camel's properties component, not
 * {@code CAMEL_*} through Camel Main's auto-configuration, not {@code CDC_CONNECTOR_PASSWORD}
 * through the Connect worker's {@code env} config provider, not {@code CDC_KAFKA_MAX_RECORD_BYTES}.
 * Settings then come from {@code application.properties} and what the launcher itself sets
 * ({@code -D}, override properties). Without it, a user's {@code CDC_POSTGRES_EMBEDDED=false} with
 * the address of their own database made {@code mvn package} create a role, a publication and a
 * replication slot there.
 */
public final class Hermetic {

    /** A JVM system property, read before Camel starts: not a {@code cdc.*} setting of the app. */
    public static final String PROPERTY = "cdc.settings.hermetic";

    private Hermetic() {
    }

    /** Whether this JVM ignores the environment. */
    public static boolean on() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** {@link System#getenv(String)}, or null when this JVM ignores the environment. */
    public static String getenv(String name) {
        return on() ? null : System.getenv(name);
    }

    /**
     * Makes {@code main} read no environment variable when this JVM ignores the environment: Camel
     * Main's {@code CAMEL_*} auto-configuration off, and the properties component's environment
     * variable mode "never" before the first setting is read.
     */
    public static void apply(Main main) {
        if (!on()) {
            return;
        }
        main.configure().setAutoConfigurationEnvironmentVariablesEnabled(false);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeInitialize(BaseMainSupport m) {
                PropertiesComponent pc = m.getCamelContext().getPropertiesComponent();
                if (pc instanceof org.apache.camel.component.properties.PropertiesComponent camelPc) {
                    camelPc.setEnvironmentVariableMode(
                            org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
                }
            }
        });
    }

    /**
     * Removes this JVM's {@code cdc.*} and {@code camel.*} system properties except those {@code keep}
     * accepts (a user's {@code -D}, or one given through {@code JAVA_TOOL_OPTIONS}), and turns
     * {@value #PROPERTY} on; returns the names removed.
     */
    public static List<String> isolate(Predicate<String> keep) {
        Set<String> removed = new TreeSet<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if ((key.startsWith("cdc.") || key.startsWith("camel.")) && !key.equals(PROPERTY) && !keep.test(key)) {
                System.clearProperty(key);
                removed.add(key);
            }
        }
        System.setProperty(PROPERTY, "true");
        return List.copyOf(removed);
    }
}
