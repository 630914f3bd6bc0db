package io.cdccamel.capture;

import io.cdccamel.base.Published;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.settings.CaptureSettings;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.ConnectorSettings;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import io.cdccamel.stack.ConnectorRole;
import io.cdccamel.base.StackStartException;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Before Camel builds the routes: checks the source database (the user's own PostgreSQL, or an
 * external one), brings it in line with what the connector file captures ({@link CaptureSync}),
 * adds the settings that follow from it to the connector's, and makes {@code cdc.topics} default
 * to the topics the connector writes. While the app runs, the same sync every
 * {@code cdc.capture.refresh.ms} picks up tables created later.
 */
@Published
public class CaptureListener extends MainListenerSupport {

    public static final String BEAN = "captureSync";
    public static final String SLOT_BEAN = "slotWatch";

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");

    private volatile CaptureSync sync;
    private volatile SlotWatch slotWatch;

    /** The sync of this start, once {@link #beforeConfigure} made it (bound by {@link CaptureConfiguration}). */
    public CaptureSync sync() {
        return sync;
    }

    /** The replication slot's watch of this start (bound by {@link CaptureConfiguration}). */
    public SlotWatch slotWatch() {
        return slotWatch;
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent pc = context.getPropertiesComponent();
        StackModeSettings stack = SettingsReader.read(context, StackModeSettings::read);
        PostgresSettings postgres = SettingsReader.read(context, PostgresSettings::read);
        CaptureSettings capture = SettingsReader.read(context, CaptureSettings::read);
        ConnectorSettings connector = SettingsReader.read(context, ConnectorSettings::read);
        boolean embedded = stack.embedded();
        boolean ownsDatabase = embedded && postgres.embedded();
        ConnectorDefinition definition = ConnectorDefinition.load(connector);
        Map<String, String> config = definition.configMap();
        String jdbc = postgres.jdbcUrl();
        String role = config.getOrDefault("database.user", ConnectorRole.ROLE);
        String slot = config.getOrDefault("slot.name", "debezium");

        if (!ownsDatabase && !embedded) {
            preflight(postgres, slot, config.getOrDefault("plugin.name", Preflight.DEBEZIUM_DEFAULT_PLUGIN), role, false, stack);
        }
        CaptureSync.Settings settings = new CaptureSync.Settings(jdbc, postgres.user(), postgres.password(), role, slot,
                config.getOrDefault("publication.name", "dbz_publication"),
                capture.manageDatabase(), capture.replicaIdentityFull(ownsDatabase));
        sync = new CaptureSync(settings, config, definition.name());
        try {
            sync.sync();
        } catch (Exception e) {
            if (embedded) {
                throw new StackStartException("Cannot prepare the capture in PostgreSQL at " + jdbc + ": "
                        + Preflight.firstLine(e.getMessage()), e);
            }
            LOG.warn("Cannot prepare the capture in PostgreSQL at {}: {}", jdbc, Preflight.firstLine(e.getMessage()));
        }
        // what follows from the file's lists is set on the connector, beside the file's own settings
        sync.derivedConnectorSettings().forEach((key, value) -> {
            // lists built from the user's own value replace it; other keys the user set stay as set
            boolean fromUsersValue = key.startsWith("table.") || key.startsWith("column.") || key.equals("transforms")
                    || key.equals("predicates");
            if (fromUsersValue || !connector.overrides().containsKey(key)) {
                pc.addOverrideProperty(ConnectorSettings.OVERRIDE_PREFIX + key, value);
            }
        });
        if (SettingsReader.read(context, ConsumerSettings::read).topics().isEmpty()) {
            pc.addOverrideProperty(ConsumerSettings.TOPICS, sync.scope().topicPattern());
            pc.addOverrideProperty(ConsumerSettings.TOPICS_PATTERN, "true");
            LOG.info("Printing the topics the connector writes: {}", sync.scope().topicPattern());
        }
        slotWatch = new SlotWatch(jdbc, postgres.user(), postgres.password(), slot, capture.slotMaxRetainedBytes());
        slotWatch.logAtStart(SettingsReader.read(context, ConnectSettings::read).url(), definition.name());
    }

    /**
     * Registered before the embedded stack starts: the user's own PostgreSQL
     * ({@code cdc.postgres.embedded=false}) is checked first, so that a database that is not ready
     * stops the start in a second, before Kafka and Connect are started for nothing.
     */
    public static final class OwnDatabasePreflight extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            CamelContext context = main.getCamelContext();
            StackModeSettings stack = SettingsReader.read(context, StackModeSettings::read);
            PostgresSettings postgres = SettingsReader.read(context, PostgresSettings::read);
            if (!stack.embedded() || postgres.embedded()) {
                return;
            }
            Map<String, String> config = ConnectorDefinition.load(SettingsReader.read(context, ConnectorSettings::read)).configMap();
            preflight(postgres, config.getOrDefault("slot.name", "debezium"),
                    config.getOrDefault("plugin.name", Preflight.DEBEZIUM_DEFAULT_PLUGIN),
                    config.getOrDefault("database.user", ConnectorRole.ROLE), true, stack);
        }
    }

    /** The user's own or an external PostgreSQL: what it lacks, one line each with its fix. */
    private static void preflight(PostgresSettings postgres, String slot, String plugin, String role, boolean embedded,
                                  StackModeSettings stack) {
        String jdbc = postgres.jdbcUrl();
        List<Preflight.Finding> findings = Preflight.check(jdbc, postgres.user(), postgres.password(), slot, plugin, role);
        List<Preflight.Finding> blocking = findings.stream().filter(Preflight.Finding::blocking).toList();
        for (Preflight.Finding f : findings) {
            if (embedded && f.blocking()) {
                LOG.error("PostgreSQL at {}: {}", jdbc, f.line());
            } else {
                LOG.warn("PostgreSQL at {}: {}", jdbc, f.line());
            }
        }
        if (embedded && !blocking.isEmpty()) {
            throw new StackStartException("PostgreSQL at " + jdbc + " is not ready for change data capture ("
                    + blocking.size() + " problem(s), each logged above with its fix): " + blocking.get(0).line());
        }
        if (embedded) {
            ensureConnectorRole(postgres, role, stack);
        }
        LOG.info("PostgreSQL at {} passed the preflight check{}", jdbc, findings.isEmpty() ? "" : " with warnings");
    }

    /**
     * The user's own PostgreSQL: the connector's role, made by the configured user when it may; a
     * role that exists with another password than the app's (an earlier install, another instance, a
     * DBA) is given the app's, or the start stops with one line naming the statement to run: else
     * Debezium would retry {@code password authentication failed} for minutes and print nothing.
     */
    private static void ensureConnectorRole(PostgresSettings postgres, String role, StackModeSettings stack) {
        if (!ConnectorRole.ROLE.equals(role)) {
            return;
        }
        String jdbc = postgres.jdbcUrl();
        Path secrets = stack.dir().resolve("secrets").resolve("connector.properties");
        String password;
        boolean exists;
        try (Connection c = DriverManager.getConnection(jdbc, postgres.user(), postgres.password())) {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                s.setString(1, role);
                exists = s.executeQuery().next();
            }
            if (!exists && Preflight.mayCreateRoles(c)) {
                ConnectorRole.ensureRole(c, ConnectorRole.password(secrets));
                LOG.info("Created role {} (LOGIN REPLICATION, not a superuser) in PostgreSQL at {}", role, jdbc);
                return;
            }
            if (!exists) {
                return;
            }
            password = ConnectorRole.password(secrets);
        } catch (Exception e) {
            throw new StackStartException("Cannot create role " + role + " in PostgreSQL at " + jdbc + ": "
                    + Preflight.firstLine(e.getMessage()), e);
        }
        if (ConnectorRole.acceptsPassword(jdbc, role, password)) {
            return;
        }
        String where = ConnectorRole.passwordSource(secrets);
        try (Connection c = DriverManager.getConnection(jdbc, postgres.user(), postgres.password())) {
            ConnectorRole.setPassword(c, role, password);
            LOG.warn("Role {} in PostgreSQL at {} had another password than the app's (made by an earlier install, another"
                    + " instance or a DBA): set it to the app's ({})", role, jdbc, where);
        } catch (SQLException e) {
            String line = "Role " + role + " exists in PostgreSQL at " + jdbc + " with another password than the app's, and "
                    + postgres.user() + " may not change it (" + Preflight.firstLine(e.getMessage()) + "). Fix, as a superuser: "
                    + "ALTER ROLE " + SourceTables.quote(role) + " PASSWORD '<the value of " + where + ">'; or give the app "
                    + "the role's password in " + ConnectorRole.PASSWORD_KEY;
            LOG.error("{}", line);
            throw new StackStartException(line);
        }
    }
}
