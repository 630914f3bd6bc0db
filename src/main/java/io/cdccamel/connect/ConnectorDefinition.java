package io.cdccamel.connect;

import io.cdccamel.base.Published;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdccamel.settings.ConnectorSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The connector as data: {@code debezium_connect.json} plus the overrides of the current mode
 * (properties {@code cdc.connector.config.<key>}), which is how one file serves both the embedded
 * stack and docker-compose. While the app runs, settings it derives from the source database may
 * change ({@link #derive}); route {@code register-connector} then applies the new config with PUT.
 */
@Published
public final class ConnectorDefinition {

    /** A property {@code cdc.connector.config.database.port=5433} sets {@code database.port} in the config. */
    public static final String OVERRIDE_PREFIX = ConnectorSettings.OVERRIDE_PREFIX;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Debezium 1.x keys that old tutorials still show, and what Debezium 3 calls them. */
    static final Map<String, String> RENAMED_KEYS = Map.ofEntries(
            Map.entry("database.server.name", "topic.prefix"),
            Map.entry("table.whitelist", "table.include.list"),
            Map.entry("table.blacklist", "table.exclude.list"),
            Map.entry("schema.whitelist", "schema.include.list"),
            Map.entry("schema.blacklist", "schema.exclude.list"),
            Map.entry("column.whitelist", "column.include.list"),
            Map.entry("column.blacklist", "column.exclude.list"),
            Map.entry("database.whitelist", "database.include.list"),
            Map.entry("database.blacklist", "database.exclude.list"),
            Map.entry("database.history.kafka.topic", "schema.history.internal.kafka.topic"),
            Map.entry("database.history.kafka.bootstrap.servers", "schema.history.internal.kafka.bootstrap.servers"));

    private final String origin;
    private final String name;
    private final ObjectNode json;
    private final Map<String, String> overridden;
    /** Counts the changes {@link #derive} made, so that the registration knows which config Connect runs. */
    private long revision;

    private ConnectorDefinition(String origin, String name, ObjectNode json, Map<String, String> overridden) {
        this.origin = origin;
        this.name = name;
        this.json = json;
        this.overridden = overridden;
    }

    /** Optional: a connector name other than the file's (tests run one connector each). */
    public static final String NAME_PROPERTY = ConnectorSettings.NAME;

    public static ConnectorDefinition load(Path file, Map<String, String> overrides) {
        return load(file, null, overrides);
    }

    /** The file {@code cdc.connector.*} names, with their name and overrides. */
    public static ConnectorDefinition load(ConnectorSettings connector) {
        return load(connector.file(), connector.name(), connector.overrides());
    }

    /** Loads the file; a non-blank {@code name} replaces the file's connector name. */
    public static ConnectorDefinition load(Path file, String name, Map<String, String> overrides) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("Connector file " + file.toAbsolutePath()
                    + " not found: run from the project folder or set cdc.connector.file", e);
        } catch (IOException e) {
            throw new IllegalStateException("Connector file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        ConnectorDefinition definition = parse(file.toString(), root, overrides);
        if (name != null && !name.isBlank()) {
            definition.json.put("name", name);
            return new ConnectorDefinition(definition.origin, name, definition.json, definition.overridden);
        }
        return definition;
    }

    static ConnectorDefinition parse(String origin, JsonNode root, Map<String, String> overrides) {
        if (root == null || !root.isObject() || !root.path("name").isTextual() || !root.path("config").isObject()) {
            throw new IllegalStateException("Connector file " + origin
                    + " must be {\"name\": \"...\", \"config\": {...}} as POST /connectors expects");
        }
        ObjectNode json = root.deepCopy();
        ObjectNode config = (ObjectNode) json.get("config");
        List<String> renamed = new ArrayList<>();
        for (String key : new TreeSet<>(RENAMED_KEYS.keySet())) {
            if (config.has(key) || overrides.containsKey(key)) {
                renamed.add(key + " (Debezium 3: " + RENAMED_KEYS.get(key) + ")");
            }
        }
        if (!renamed.isEmpty()) {
            throw new IllegalStateException("Connector file " + origin + " uses Debezium 1.x names that Debezium 3 "
                    + "ignores: " + String.join(", ", renamed));
        }
        Map<String, String> applied = new TreeMap<>();
        overrides.forEach((key, value) -> {
            config.put(key, value);
            applied.put(key, value);
        });
        return new ConnectorDefinition(origin, json.get("name").textValue(), json, applied);
    }

    public String name() {
        return name;
    }

    /** Where the definition came from, for messages. */
    public String origin() {
        return origin;
    }

    /**
     * Sets settings the app derives from the source database while it runs (the generated columns
     * that {@code column.exclude.list} leaves out): the register route's next tick finds the
     * running connector different and applies this config with {@code PUT .../config}, which
     * restarts its task from its committed offsets.
     *
     * @return true when a value changed
     */
    public synchronized boolean derive(Map<String, String> settings) {
        ObjectNode config = (ObjectNode) json.get("config");
        boolean changed = false;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            JsonNode now = config.get(e.getKey());
            if (now == null || !now.asText().equals(e.getValue())) {
                config.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (changed) {
            revision++;
        }
        return changed;
    }

    /** How many times {@link #derive} changed the config (0: as loaded). */
    public synchronized long revision() {
        return revision;
    }

    /** The config, with the connector's name in it, as {@code PUT /connectors/<name>/config} takes it. */
    public synchronized ObjectNode configNode() {
        ObjectNode config = ((ObjectNode) json.get("config")).deepCopy();
        config.put("name", name);
        return config;
    }

    /** {@link #configNode()} as JSON text. */
    public String configJson() {
        return configNode().toString();
    }

    /** The body for {@code POST /connectors}. */
    public synchronized String toJson() {
        return json.toString();
    }

    public synchronized String config(String key) {
        JsonNode value = json.get("config").get(key);
        return value == null ? null : value.asText();
    }

    /** The config as keys and text values (the connector's settings with this mode's overrides). */
    public synchronized Map<String, String> configMap() {
        Map<String, String> values = new TreeMap<>();
        json.get("config").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    /** The keys this mode changed, for the log. */
    public Map<String, String> overridden() {
        return overridden;
    }
}
