package io.cdccamel.connect;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Which keys of the connector's running config differ from the file's (plus this mode's overrides). */
final class ConfigDrift {

    private ConfigDrift() {
    }

    /**
     * Keys only, never values: values may be secrets (database.password).
     *
     * @param desired what {@code PUT /connectors/<name>/config} would send
     * @param actual  the config Connect runs, as {@code GET /connectors/<name>} gives it
     */
    static Set<String> changedKeys(ObjectNode desired, Map<String, String> actual) {
        Set<String> changed = new TreeSet<>();
        desired.properties().forEach(e -> {
            if (!Objects.equals(e.getValue().asText(), actual.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        });
        actual.keySet().stream().filter(key -> !desired.has(key) && !"name".equals(key)).forEach(changed::add);
        return changed;
    }
}
