package io.cdccamel.settings;

import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults application.properties writes for {@code cdc.*} are the typed records' own (issue 33:
 * they are written in both places until the properties file gives them up): a default changed in one
 * place and not the other fails here. A value made of other settings ({@code {{cdc.stack.dir}}/...})
 * is the record's default worked out from theirs.
 */
class SettingsDefaultsTest {

    @Test
    void shouldWriteInApplicationPropertiesTheRecordsOwnDefaults() throws Exception {
        Map<String, String> records = SettingsCheck.defaults();
        assertThat(records).as("keys the records read").containsKeys("cdc.mode", "cdc.consumer.group", "cdc.output.dir");
        Properties file = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            file.load(r);
        }
        Map<String, String> differ = new TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            if (!key.startsWith("cdc.")) {
                continue;
            }
            String written = resolve(file.getProperty(key).trim(), file);
            String own = records.get(key);
            if (!written.equals(own)) {
                differ.put(key, "application.properties '" + written + "', the record '" + own + "'");
            }
        }
        assertThat(differ).as("cdc.* defaults that differ (or that no record reads)").isEmpty();
    }

    @Test
    void shouldRecordEachKeyWithTheDefaultItIsAskedWith() {
        SettingsReader settings = SettingsReader.recordingDefaults();
        settings.whole("cdc.a.ms", 500, 10);
        settings.text("cdc.b", "x");
        settings.text("cdc.b", "y");
        assertThat(settings.defaults()).containsExactly(Map.entry("cdc.a.ms", "500"), Map.entry("cdc.b", "x"));
    }

    /** {@code {{key}}} placeholders of the file's own keys, as Camel would resolve them. */
    private static String resolve(String value, Properties file) {
        String out = value;
        for (int i = 0; i < 5 && out.contains("{{"); i++) {
            int start = out.indexOf("{{");
            int end = out.indexOf("}}", start);
            String key = out.substring(start + 2, end);
            out = out.substring(0, start) + file.getProperty(key, "").trim() + out.substring(end + 2);
        }
        return out;
    }
}
