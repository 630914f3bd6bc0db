package io.cdccamel.settings;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which settings hold secrets, and their values masked for a log line or a console: any key
 * containing {@code password}, {@code secret}, {@code jaas} or {@code token} (Kafka's
 * {@code sasl.jaas.config}, {@code ssl.keystore.password}, ...). Camel's own masking goes by a key's
 * last segment only, which misses {@code sasl.jaas.config}.
 */
public final class Secrets {

    public static final String MASK = "********";
    private static final String[] WORDS = {"password", "secret", "jaas", "token"};

    private Secrets() {
    }

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** The same keys, in order, with the values of secret ones masked. */
    public static Map<String, String> masked(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
