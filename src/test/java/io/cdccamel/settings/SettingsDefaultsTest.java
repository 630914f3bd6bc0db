package io.cdccamel.settings;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each setting's default is written once, in its typed record: application.properties sets no
 * {@code cdc.*} key (its commented-out lines show the records' defaults, and a line that no longer
 * does fails here), and Camel's placeholders resolve to the records' defaults ({@link SettingsDefaults})
 * wherever nothing sets the key.
 */
class SettingsDefaultsTest {

    private static final Pattern SETTING = Pattern.compile("^(#?)(cdc\\.[\\w.-]+)\\s*=\\s*(.*)$");

    @Test
    void shouldSetNoCdcKeyInApplicationPropertiesAndShowTheRecordsDefaultsThere() throws Exception {
        Map<String, String> records = SettingsCheck.defaults();
        assertThat(records).as("keys the records read").containsKeys("cdc.mode", "cdc.consumer.group", "cdc.output.dir");
        List<String> lines = Files.readAllLines(Path.of("src/main/resources/application.properties"));
        Properties shown = new Properties();
        Map<String, String> set = new TreeMap<>();
        for (String line : lines) {
            Matcher m = SETTING.matcher(line);
            if (m.matches()) {
                if (m.group(1).isEmpty()) {
                    set.put(m.group(2), m.group(3));
                } else {
                    shown.setProperty(m.group(2), m.group(3).trim());
                }
            }
        }
        assertThat(set).as("cdc.* keys application.properties sets (their defaults are the records')").isEmpty();
        assertThat(shown).as("the defaults application.properties shows").hasSizeGreaterThan(50);
        Map<String, String> differ = new TreeMap<>();
        for (String key : shown.stringPropertyNames()) {
            String written = resolve(shown.getProperty(key), shown);
            if (!written.equals(records.get(key))) {
                differ.put(key, "application.properties shows '" + written + "', the record's is '" + records.get(key) + "'");
            }
        }
        assertThat(differ).as("defaults shown that are not the records' (or that no record reads)").isEmpty();
    }

    @Test
    void shouldResolvePlaceholdersToTheRecordsDefaultsWorkedOutFromTheValuesSet() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.build();
            assertThat(camel.resolvePropertyPlaceholders("{{cdc.consumer.batch.size}}")).isEqualTo("500");
            assertThat(camel.resolvePropertyPlaceholders("{{cdc.consumer.group}}")).isEqualTo("cdc-camel");
            assertThat(camel.resolvePropertyPlaceholders("{{cdc.live.group}}")).isEqualTo("cdc-camel-live");
            camel.getPropertiesComponent().addOverrideProperty("cdc.consumer.group", "mine");
            camel.getPropertiesComponent().addOverrideProperty("cdc.consumer.batch.size", "42");
            assertThat(camel.resolvePropertyPlaceholders("{{cdc.consumer.batch.size}}")).as("a value set wins").isEqualTo("42");
            assertThat(camel.resolvePropertyPlaceholders("{{cdc.live.group}}")).as("worked out from the group set")
                    .isEqualTo("mine-live");
            assertThat(camel.getPropertiesComponent().resolveProperty("cdc.no.such.setting")).isEmpty();
        }
    }

    @Test
    void shouldRecordEachKeyWithTheDefaultItIsAskedWith() {
        SettingsReader settings = SettingsReader.recordingDefaults();
        settings.whole("cdc.a.ms", 500, 10);
        settings.text("cdc.b", "x");
        settings.text("cdc.b", "y");
        assertThat(settings.defaults()).containsExactly(Map.entry("cdc.a.ms", "500"), Map.entry("cdc.b", "x"));
    }

    /** {@code {{key}}} placeholders of the shown keys, as Camel would resolve them. */
    private static String resolve(String value, Properties shown) {
        String out = value;
        for (int i = 0; i < 5 && out.contains("{{"); i++) {
            int start = out.indexOf("{{");
            int end = out.indexOf("}}", start);
            String key = out.substring(start + 2, end);
            out = out.substring(0, start) + shown.getProperty(key, "").trim() + out.substring(end + 2);
        }
        return out;
    }
}
