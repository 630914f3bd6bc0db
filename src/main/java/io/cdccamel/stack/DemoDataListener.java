package io.cdccamel.stack;

import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the demo table ({@link DemoData}) where {@code cdc.demo.enabled} says, in both modes: after the
 * embedded stack started (its database's port is known then), before the capture's sync, which
 * publishes the table.
 */
public class DemoDataListener extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DemoDataListener.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PostgresSettings postgres = SettingsReader.read(context, PostgresSettings::read);
        if (!SettingsReader.read(context, StackModeSettings::read).demoEnabled(postgres)) {
            return;
        }
        try {
            DemoData.ensure(postgres.jdbcUrl(), postgres.user(), postgres.password());
        } catch (Exception e) {
            LOG.warn("Could not prepare the demo table at {}: {}", postgres.jdbcUrl(), e.getMessage());
        }
    }
}
