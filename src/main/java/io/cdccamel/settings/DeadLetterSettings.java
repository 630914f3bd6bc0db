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
        String topic = settings.required(TOPIC, "cdc-camel.dead-letter", "must name a topic");
        String endpoint = settings.required(ENDPOINT, "kafka:" + topic, "must be a Camel endpoint URI");
        return new DeadLetterSettings(topic, endpoint);
    }

    /** Whether the dead letters go to a Kafka topic, which must then exist first. */
    public boolean toKafka() {
        return endpoint.startsWith("kafka:");
    }
}
