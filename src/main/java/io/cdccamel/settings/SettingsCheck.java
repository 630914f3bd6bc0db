package io.cdccamel.settings;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.util.List;
import java.util.Map;

/**
 * Every setting of the app read once before anything starts: a bad value stops the start with one
 * line each (name, value, what is allowed), all of them at once rather than one per attempt.
 */
public class SettingsCheck extends MainListenerSupport {

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        SettingsReader settings = new SettingsReader(main.getCamelContext().getPropertiesComponent());
        readAll(settings);
        settings.check();
    }

    /** The bad values among {@code pc}'s settings, one line each; empty when every one is good. */
    public static List<String> problems(PropertiesComponent pc) {
        SettingsReader settings = new SettingsReader(pc);
        readAll(settings);
        return settings.problems();
    }

    /** Every setting's key with its default, as the typed records give them: the one place defaults are written. */
    public static Map<String, String> defaults() {
        SettingsReader settings = SettingsReader.recordingDefaults();
        readAll(settings);
        return settings.defaults();
    }

    static void readAll(SettingsReader settings) {
        StackModeSettings.read(settings);
        PostgresSettings.read(settings);
        ConnectSettings.read(settings);
        ConsumerSettings.read(settings);
        OutputSettings.read(settings);
        CaptureSettings.read(settings);
        ConnectorSettings.read(settings);
        DeadLetterSettings.read(settings);
        ApiSettings.read(settings);
        LiveSettings.read(settings);
        ChartSettings.read(settings);
        SearchSettings.read(settings);
        KafkaClientSettings.read(settings);
    }
}
