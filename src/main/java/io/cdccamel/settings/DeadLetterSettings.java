package io.cdccamel.settings;

/**
 * {@code cdc.dead-letter.*}: where the records that cannot be printed go.
 *
 * @param topic    {@code cdc.dead-letter.topic}: created at start when {@code endpoint} is a Kafka one
 * @param endpoint {@code cdc.dead-letter.endpoint}: any Camel endpoint
 */
public record DeadLetterSettings(String topic, String endpoint) {

    public static final String TOPIC = "cdc.dead-letter.topic";
    public static final String ENDPOINT = "cdc.dead-letter.endpoint";

    public static DeadLetterSettings read(SettingsReader settings) {
        String topic = settings.text(TOPIC, "cdc-camel.dead-letter");
        if (topic.isEmpty()) {
            settings.problem(TOPIC + " must name a topic, not ''");
        }
        String endpoint = settings.text(ENDPOINT, "kafka:" + topic);
        if (endpoint.isEmpty()) {
            settings.problem(ENDPOINT + " must be a Camel endpoint URI, not ''");
        }
        return new DeadLetterSettings(topic, endpoint);
    }

    /** Whether the dead letters go to a Kafka topic, which must then exist first. */
    public boolean toKafka() {
        return endpoint.startsWith("kafka:");
    }
}
