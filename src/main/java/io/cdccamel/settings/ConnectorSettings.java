package io.cdccamel.settings;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code cdc.connector.*}: the connector registered in Kafka Connect.
 *
 * @param file      {@code cdc.connector.file}: the definition, as data
 * @param name      {@code cdc.connector.name}: empty, the file's {@code name}
 * @param overrides {@code cdc.connector.config.<key>}: over the file's {@code config}
 */
public record ConnectorSettings(Path file, String name, Map<String, String> overrides) {

    public static final String FILE = "cdc.connector.file";
    public static final String NAME = "cdc.connector.name";
    public static final String OVERRIDE_PREFIX = "cdc.connector.config.";

    public ConnectorSettings {
        overrides = Map.copyOf(overrides);
    }

    public static ConnectorSettings read(SettingsReader settings) {
        return new ConnectorSettings(Path.of(settings.text(FILE, "debezium_connect.json")), settings.text(NAME, ""),
                settings.withPrefix(OVERRIDE_PREFIX));
    }

    /** Never the overrides' values (a password may be among them). */
    @Override
    public String toString() {
        return "ConnectorSettings[" + file + (name.isEmpty() ? "" : ", name " + name) + ", overrides " + overrides.keySet() + "]";
    }
}
