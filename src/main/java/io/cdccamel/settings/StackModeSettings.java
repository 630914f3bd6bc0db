package io.cdccamel.settings;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code cdc.mode}, {@code cdc.stack.*}, {@code cdc.kafka.*} and {@code cdc.demo.enabled}: where the
 * stack is (application.properties' "where the stack is").
 *
 * @param embedded   {@code cdc.mode=embedded} (else {@code external})
 * @param dir        {@code cdc.stack.dir}: embedded mode's data folder
 * @param reset      {@code cdc.stack.reset}
 * @param kafkaPorts {@code cdc.kafka.ports}: embedded mode's three brokers' ports
 * @param brokers    {@code cdc.kafka.brokers}
 * @param demo       {@code cdc.demo.enabled}: {@code auto}, {@code true} or {@code false}
 */
public record StackModeSettings(boolean embedded, Path dir, boolean reset, List<Integer> kafkaPorts, String brokers,
                                String demo) {

    public static final String MODE = "cdc.mode";
    public static final String MODE_EMBEDDED = "embedded";
    public static final String MODE_EXTERNAL = "external";
    public static final String DIR = "cdc.stack.dir";
    static final String DEFAULT_DIR = "data";
    public static final String RESET = "cdc.stack.reset";
    public static final String KAFKA_PORTS = "cdc.kafka.ports";
    public static final String BROKERS = "cdc.kafka.brokers";
    public static final String DEMO = "cdc.demo.enabled";

    public StackModeSettings {
        kafkaPorts = List.copyOf(kafkaPorts);
    }

    public static StackModeSettings read(SettingsReader settings) {
        String brokers = settings.required(BROKERS, "localhost:9092,localhost:9093,localhost:9094",
                "must list the brokers (host:port, comma-separated)");
        return new StackModeSettings(MODE_EMBEDDED.equals(settings.choice(MODE, MODE_EMBEDDED, MODE_EMBEDDED, MODE_EXTERNAL)),
                Path.of(settings.text(DIR, DEFAULT_DIR)), settings.flag(RESET, false),
                settings.ports(KAFKA_PORTS, "9092,9093,9094", 3), brokers,
                settings.choice(DEMO, "auto", "auto", "true", "false"));
    }

    /**
     * Whether the demo table is made: {@code auto} does so in the databases set up for this app (the
     * embedded one, docker-compose's), never in the user's own PostgreSQL
     * ({@code cdc.postgres.embedded=false}).
     */
    public boolean demoEnabled(PostgresSettings postgres) {
        return "auto".equals(demo) ? !(embedded && !postgres.embedded()) : Boolean.parseBoolean(demo);
    }
}
