package io.cdccamel.settings;

import java.util.Map;
import java.util.TreeMap;

/** The system properties under a prefix, where no Camel context is at hand (else {@link SettingsReader}). */
public final class Settings {

    private Settings() {
    }

    /** The system properties {@code <prefix><key>}, keyed by {@code <key>}. */
    public static Map<String, String> systemWithPrefix(String prefix) {
        Map<String, String> values = new TreeMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                values.put(key.substring(prefix.length()), System.getProperty(key));
            }
        }
        return values;
    }
}
