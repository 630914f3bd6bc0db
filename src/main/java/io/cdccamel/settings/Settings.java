package io.cdccamel.settings;

import io.cdccamel.settings.SettingsReader;
import org.apache.camel.spi.PropertiesComponent;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reading the application's settings where Camel's {@code @PropertyInject} does not reach. */
public final class Settings {

    private Settings() {
    }

    /**
     * Every {@code <prefix><key>} setting (from the properties files, -D or an override), keyed by
     * {@code <key>}, with the value that wins: how {@code cdc.connector.config.*} and
     * {@code cdc.connect.worker.*} pass settings through.
     */
    public static Map<String, String> withPrefix(PropertiesComponent pc, String prefix) {
        return SettingsReader.withPrefix(pc, prefix);
    }

    /** The system properties {@code <prefix><key>}, keyed by {@code <key>} (no Camel at hand). */
    public static Map<String, String> systemWithPrefix(String prefix) {
        Map<String, String> values = new TreeMap<>();
        for (String key : withPrefix(System.getProperties().stringPropertyNames(), prefix)) {
            values.put(key.substring(prefix.length()), System.getProperty(key));
        }
        return values;
    }

    private static Set<String> withPrefix(Set<String> keys, String prefix) {
        Set<String> matching = new TreeSet<>();
        keys.stream().filter(k -> k.startsWith(prefix)).forEach(matching::add);
        return matching;
    }
}
