package io.cdccamel.capture;

import io.cdccamel.settings.Settings;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.stack.ConnectorRole;
import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.StackStartException;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Before Camel builds the routes: checks the source database (the user's own PostgreSQL, or an
 * external one), brings it in line with what the connector file captures ({@link CaptureSync}),
 * adds the settings that follow from it to the connector's, and makes {@code cdc.topics} default
 * to the topics the connector writes. While the app runs, the same sync every
 * {@code cdc.capture.refresh.ms} picks up tables created later.
 */
public class CaptureListener extends MainListenerSupport {

    public static final String BEAN = io.cdccamel.api.ApiRestRoutes.SNAPSHOT_BEAN;
    public static final String SLOT_BEAN = "slotWatch";
    public static final String MANAGE = "cdc.capture.manage-database";
    public static final String REPLICA_IDENTITY_FULL = "cdc.capture.replica-identity-full";
    public static final String REFRESH_MS = "cdc.capture.refresh.ms";

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");

    private volatile CaptureSync sync;
    private volatile ScheduledExecutorService refresher;
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
        boolean embedded = EmbeddedStackListener.MODE_EMBEDDED.equals(value(pc, EmbeddedStackListener.MODE, ""));
        boolean ownsDatabase = embedded && EmbeddedStackListener.postgresEmbedded(pc);
        ConnectorDefinition definition = ConnectorDefinition.load(Path.of(value(pc, "cdc.connector.file", "debezium_connect.json")),
                value(pc, ConnectorDefinition.NAME_PROPERTY, ""), Settings.withPrefix(pc, ConnectorDefinition.OVERRIDE_PREFIX));
        Map<String, String> config = definition.configMap();
        String jdbc = jdbcUrl(pc);
        String user = value(pc, "cdc.postgres.user", "postgres");
        String password = value(pc, "cdc.postgres.password", "");
        String role = config.getOrDefault("database.user", ConnectorRole.ROLE);
        String slot = config.getOrDefault("slot.name", "debezium");

        if (!ownsDatabase && !embedded) {
            preflight(jdbc, user, password, slot, role, false, pc);
        }
        String fullSetting = value(pc, REPLICA_IDENTITY_FULL, "auto");
        boolean full = "auto".equalsIgnoreCase(fullSetting) ? ownsDatabase : Boolean.parseBoolean(fullSetting);
        CaptureSync.Settings settings = new CaptureSync.Settings(jdbc, user, password, role, slot,
                config.getOrDefault("publication.name", "dbz_publication"),
                Boolean.parseBoolean(value(pc, MANAGE, "true")), full);
        sync = new CaptureSync(settings, config);
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
            boolean fromUsersValue = key.startsWith("table.") || key.equals("transforms") || key.equals("predicates");
            if (fromUsersValue || pc.resolveProperty(ConnectorDefinition.OVERRIDE_PREFIX + key).isEmpty()) {
                pc.addOverrideProperty(ConnectorDefinition.OVERRIDE_PREFIX + key, value);
            }
        });
        if (value(pc, "cdc.topics", "").isBlank()) {
            pc.addOverrideProperty("cdc.topics", sync.scope().topicPattern());
            pc.addOverrideProperty("cdc.topics.pattern", "true");
            LOG.info("Printing the topics the connector writes: {}", sync.scope().topicPattern());
        }
        slotWatch = new SlotWatch(jdbc, user, password, slot, Long.parseLong(value(pc, SlotWatch.MAX_RETAINED, "4000000000")));
        slotWatch.logAtStart(value(pc, "cdc.connect.url", ""), definition.name());
        try {
            context.addStartupListener((camel, alreadyStarted) -> startRefresher(camel));
            // the Prometheus registry is bound once Camel starts
            context.addStartupListener((camel, alreadyStarted) -> {
                io.micrometer.core.instrument.MeterRegistry registry = camel.getRegistry().lookupByNameAndType("metricsRegistry",
                        io.micrometer.core.instrument.MeterRegistry.class);
                if (registry != null) {
                    slotWatch.bindTo(registry);
                }
            });
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    ScheduledExecutorService r = refresher;
                    refresher = null;
                    if (r != null) {
                        context.getExecutorServiceManager().shutdownNow(r);
                    }
                }
            }, true);
        } catch (Exception e) {
            throw new StackStartException("Cannot schedule the capture's refresh: " + e.getMessage(), e);
        }
    }

    /**
     * Registered before the embedded stack starts: the user's own PostgreSQL
     * ({@code cdc.postgres.embedded=false}) is checked first, so that a database that is not ready
     * stops the start in a second, before Kafka and Connect are started for nothing.
     */
    public static final class OwnDatabasePreflight extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            PropertiesComponent pc = main.getCamelContext().getPropertiesComponent();
            if (!EmbeddedStackListener.MODE_EMBEDDED.equals(value(pc, EmbeddedStackListener.MODE, ""))
                    || EmbeddedStackListener.postgresEmbedded(pc)) {
                return;
            }
            Map<String, String> config = ConnectorDefinition.load(Path.of(value(pc, "cdc.connector.file", "debezium_connect.json")),
                    value(pc, ConnectorDefinition.NAME_PROPERTY, ""),
                    Settings.withPrefix(pc, ConnectorDefinition.OVERRIDE_PREFIX)).configMap();
            preflight(jdbcUrl(pc), value(pc, "cdc.postgres.user", "postgres"), value(pc, "cdc.postgres.password", ""),
                    config.getOrDefault("slot.name", "debezium"), config.getOrDefault("database.user", ConnectorRole.ROLE), true, pc);
        }
    }

    static String jdbcUrl(PropertiesComponent pc) {
        return "jdbc:postgresql://" + value(pc, "cdc.postgres.host", "localhost") + ":" + value(pc, "cdc.postgres.port", "5432")
                + "/" + value(pc, "cdc.postgres.database", "postgres");
    }

    /** The user's own or an external PostgreSQL: what it lacks, one line each with its fix. */
    private static void preflight(String jdbc, String user, String password, String slot, String role, boolean embedded,
                                  PropertiesComponent pc) {
        List<Preflight.Finding> findings = Preflight.check(jdbc, user, password, slot, role);
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
            createRoleIfMissing(jdbc, user, password, role, pc);
        }
        LOG.info("PostgreSQL at {} passed the preflight check{}", jdbc, findings.isEmpty() ? "" : " with warnings");
    }

    /** The user's own PostgreSQL: the connector's role, made by the configured user when it may. */
    private static void createRoleIfMissing(String jdbc, String user, String password, String role, PropertiesComponent pc) {
        if (!ConnectorRole.ROLE.equals(role)) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbc, user, password)) {
            boolean exists;
            try (var s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                s.setString(1, role);
                exists = s.executeQuery().next();
            }
            if (!exists && Preflight.mayCreateRoles(c)) {
                Path secrets = Path.of(value(pc, "cdc.stack.dir", "data")).resolve("secrets").resolve("connector.properties");
                ConnectorRole.ensureRole(c, ConnectorRole.password(secrets));
                LOG.info("Created role {} (LOGIN REPLICATION, not a superuser) in PostgreSQL at {}", role, jdbc);
            }
        } catch (Exception e) {
            throw new StackStartException("Cannot create role " + role + " in PostgreSQL at " + jdbc + ": "
                    + Preflight.firstLine(e.getMessage()), e);
        }
    }

    /** Every {@code cdc.capture.refresh.ms} the sync again, and every second the queued snapshots, once Camel runs. */
    private void startRefresher(CamelContext context) {
        long every = Long.parseLong(value(context.getPropertiesComponent(), REFRESH_MS, "10000"));
        if (sync == null || every <= 0 || refresher != null) {
            return;
        }
        refresher = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "capture-refresh");
        refresher.scheduleWithFixedDelay(() -> {
            try {
                sync.sync();
            } catch (Exception e) {
                LOG.warn("Could not bring the publication in line with the connector file: {}", Preflight.firstLine(e.getMessage()));
            }
        }, every, every, TimeUnit.MILLISECONDS);
        refresher.scheduleWithFixedDelay(() -> {
            ConnectorRegistration registration = context.getRegistry().findSingleByType(ConnectorRegistration.class);
            io.cdccamel.connect.StreamingWatch watch = context.getRegistry().lookupByNameAndType(
                    io.cdccamel.connect.StreamingWatch.BEAN, io.cdccamel.connect.StreamingWatch.class);
            sync.snapshotPending(() -> registration != null && registration.isHealthy(), tables -> {
                if (watch != null) {
                    watch.followSnapshot(tables);
                }
            });
        }, 1, 1, TimeUnit.SECONDS);
    }

    private static String value(PropertiesComponent pc, String key, String fallback) {
        return pc.resolveProperty(key).map(String::trim).orElse(fallback);
    }
}
