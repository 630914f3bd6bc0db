package io.cdccamel.settings;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/**
 * The app's settings, one typed record per prefix, bound once for the other configuration classes'
 * {@code @BindToRegistry} methods to take as parameters. Read after the embedded stack and the capture
 * have set what they compute at start (brokers, ports, {@code cdc.topics}); checked again here, as
 * route tests start without {@link SettingsCheck}.
 */
@Configuration
public class SettingsConfiguration implements CamelConfiguration {

    @BindToRegistry
    public StackModeSettings stackModeSettings(CamelContext camel) {
        return SettingsReader.read(camel, StackModeSettings::read);
    }

    @BindToRegistry
    public PostgresSettings postgresSettings(CamelContext camel) {
        return SettingsReader.read(camel, PostgresSettings::read);
    }

    @BindToRegistry
    public ConnectSettings connectSettings(CamelContext camel) {
        return SettingsReader.read(camel, ConnectSettings::read);
    }

    @BindToRegistry
    public ConsumerSettings consumerSettings(CamelContext camel) {
        return SettingsReader.read(camel, ConsumerSettings::read);
    }

    @BindToRegistry
    public OutputSettings outputSettings(CamelContext camel) {
        return SettingsReader.read(camel, OutputSettings::read);
    }

    @BindToRegistry
    public CaptureSettings captureSettings(CamelContext camel) {
        return SettingsReader.read(camel, CaptureSettings::read);
    }

    @BindToRegistry
    public ConnectorSettings connectorSettings(CamelContext camel) {
        return SettingsReader.read(camel, ConnectorSettings::read);
    }

    @BindToRegistry
    public DeadLetterSettings deadLetterSettings(CamelContext camel) {
        return SettingsReader.read(camel, DeadLetterSettings::read);
    }

    @BindToRegistry
    public ApiSettings apiSettings(CamelContext camel) {
        return SettingsReader.read(camel, ApiSettings::read);
    }

    @BindToRegistry
    public LiveSettings liveSettings(CamelContext camel) {
        return SettingsReader.read(camel, LiveSettings::read);
    }

    @BindToRegistry
    public ChartSettings chartSettings(CamelContext camel) {
        return SettingsReader.read(camel, ChartSettings::read);
    }

    @BindToRegistry
    public SearchSettings searchSettings(CamelContext camel) {
        return SettingsReader.read(camel, SearchSettings::read);
    }
}
