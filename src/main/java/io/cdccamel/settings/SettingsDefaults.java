package io.cdccamel.settings;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Ordered;
import org.apache.camel.spi.PropertiesSource;

import java.util.Map;
import java.util.Set;

/**
 * The defaults of the {@code cdc.*} settings, for Camel's placeholders ({@code {{cdc.consumer.group}}}
 * in the YAML route and in Camel's own settings), taken from the typed records: the one place the
 * defaults are written. Camel finds it in every context ({@code META-INF/services/org/apache/camel/
 * properties-source-factory}) and asks it last, so a value set anywhere (a properties file, {@code -D},
 * an environment variable, an override) wins. A default made of other settings is worked out from
 * their values of the moment.
 */
public final class SettingsDefaults implements PropertiesSource, Ordered, CamelContextAware {

    /** What every key reads as when the records are read for {@link #DERIVED}: no key's default. */
    private static final String OTHER = "9";
    /** While the records are read for a default, their own reads find no default here (no recursion). */
    private static final ThreadLocal<Boolean> WORKING = new ThreadLocal<>();

    /** Each key's default when nothing is set. */
    private static final Map<String, String> FIXED = SettingsCheck.defaults();
    /**
     * The keys whose default is made of other settings: those whose default changes when every other
     * key reads as something else.
     */
    private static final Set<String> DERIVED = derived();

    private CamelContext camel;

    private static Set<String> derived() {
        SettingsReader other = SettingsReader.recordingDefaults(key -> java.util.Optional.of(OTHER));
        SettingsCheck.readAll(other);
        Set<String> derived = new java.util.TreeSet<>();
        other.defaults().forEach((key, fallback) -> {
            if (!fallback.equals(FIXED.get(key))) {
                derived.add(key);
            }
        });
        return Set.copyOf(derived);
    }

    @Override
    public String getName() {
        return "cdc-settings-defaults";
    }

    @Override
    public String getProperty(String name) {
        if (camel == null || !name.startsWith("cdc.") || WORKING.get() != null) {
            return null;
        }
        if (!DERIVED.contains(name)) {
            return FIXED.get(name);
        }
        // a default made of other settings, from their values of the moment
        WORKING.set(Boolean.TRUE);
        try {
            SettingsReader settings = SettingsReader.recordingDefaults(camel.getPropertiesComponent());
            SettingsCheck.readAll(settings);
            return settings.defaults().get(name);
        } finally {
            WORKING.remove();
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camel = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camel;
    }
}
