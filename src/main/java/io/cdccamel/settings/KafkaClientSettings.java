package io.cdccamel.settings;


import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings every Kafka client of the app takes (the print route's consumer, the dead-letter
 * producer, the topic admin, the registration lock, the live view's reader and its probe):
 * {@code cdc.kafka.client.<key>=value} is Kafka client setting {@code <key>}, e.g.
 * {@code cdc.kafka.client.security.protocol=SASL_SSL}, {@code cdc.kafka.client.sasl.mechanism},
 * {@code cdc.kafka.client.sasl.jaas.config}, {@code cdc.kafka.client.ssl.truststore.location}. One
 * prefix, so that a secured cluster is configured once and no client is left on PLAINTEXT.
 */
public final class KafkaClientSettings {

    public static final String PREFIX = "cdc.kafka.client.";
    /** Set by each client itself, from the app's own settings: not through the prefix. */
    private static final Set<String> OWN = Set.of("bootstrap.servers", "group.id", "client.id",
            "key.deserializer", "value.deserializer", "key.serializer", "value.serializer");

    private final Map<String, String> settings;

    public KafkaClientSettings(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (OWN.contains(key)) {
                throw new IllegalArgumentException(notSettable(key));
            }
        }
        this.settings = Map.copyOf(settings);
    }

    private static String notSettable(String key) {
        return PREFIX + key + " cannot be set: each client sets " + key
                + " from the app's own settings (cdc.kafka.brokers for bootstrap.servers)";
    }

    public static KafkaClientSettings none() {
        return new KafkaClientSettings(Map.of());
    }

    /** {@code cdc.kafka.client.*}; a key each client sets itself is a bad value. */
    public static KafkaClientSettings read(SettingsReader settings) {
        Map<String, String> values = new TreeMap<>(settings.withPrefix(PREFIX));
        for (String key : List.copyOf(values.keySet())) {
            if (OWN.contains(key)) {
                settings.problem(notSettable(key));
                values.remove(key);
            }
        }
        return new KafkaClientSettings(values);
    }

    /** {@code base} with these settings over it: what a client is created with. */
    public Map<String, Object> over(Map<String, ?> base) {
        Map<String, Object> config = new HashMap<>(base);
        config.putAll(settings);
        return config;
    }

    public Map<String, String> asMap() {
        return settings;
    }

    public boolean isEmpty() {
        return settings.isEmpty();
    }

    /** For logs: the keys with their values, secrets masked. */
    @Override
    public String toString() {
        return Secrets.masked(settings).toString();
    }
}
