package io.cdccamel.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.relational.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Keeps the source database in line with what the connector file captures: the publication, the
 * connector role's grants, the signal table of incremental snapshots and, where the app owns the
 * database, {@code REPLICA IDENTITY FULL}. Tables that become captured while Debezium already
 * streams (the file changed between runs, or a table appeared later) are snapshotted on their own
 * through Debezium's {@code execute-snapshot} signal (incremental: streaming goes on, the other
 * tables are not read again).
 * <p>
 * Signal channel: {@code source}, a table in the source database. Debezium's incremental snapshot
 * writes its window marks into that table whichever channel sends the signal, and its read-only
 * alternative needs heartbeats to progress on a quiet database; a signal written to the same
 * table, in the same WAL as the data, is ordered with the changes it concerns.
 */
public final class CaptureSync {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Settings of the sync, from {@code cdc.postgres.*}, {@code cdc.capture.*} and the connector file. */
    public record Settings(String jdbcUrl, String user, String password, String role, String slot, String publication,
                           boolean manage, boolean replicaIdentityFull) {
    }

    private final Settings settings;
    private final CaptureScope scope;
    private final String signalTable;

    /**
     * Where {@code heartbeat.action.query} of the connector file writes: a change in the captured
     * database at every heartbeat, so that the slot's position moves on even when nothing captured
     * changes and PostgreSQL can recycle the WAL (Debezium skips the table's rows).
     */
    public static final String HEARTBEAT_TABLE = CaptureScope.APP_SCHEMA + ".heartbeat";
    /** The snapshot of each table as a durable job ({@link SnapshotJobs}): what is pending survives a kill -9. */
    private final SnapshotJobs jobs;
    private final Map<String, String> connectorConfig;
    private final String connectorName;
    private volatile List<String> captured = List.of();
    private volatile List<String> partitions = List.of();
    /** The captured tables' generated columns as of the last sync: table -> names. */
    private volatile Map<TableId, List<String>> generated = Map.of();
    private boolean warnedNotFull;
    private boolean synced;

    public CaptureSync(Settings settings, Map<String, String> connectorConfig) {
        this(settings, connectorConfig, "connector");
    }

    public CaptureSync(Settings settings, Map<String, String> connectorConfig, String connectorName) {
        this.connectorName = connectorName;
        this.settings = settings;
        this.scope = CaptureScope.of(connectorConfig);
        this.connectorConfig = Map.copyOf(connectorConfig);
        String signal = connectorConfig.get("signal.data.collection");
        this.signalTable = signal != null && !signal.isBlank() ? signal.trim() : defaultSignalTable(settings.slot());
        this.jobs = new SnapshotJobs(settings.jdbcUrl(), settings.user(), settings.password(),
                SnapshotJobs.defaultTable(settings.slot()));
    }

    /** The tables' snapshot jobs. */
    public SnapshotJobs jobs() {
        return jobs;
    }

    /**
     * Debezium's notification topic ({@code notification.sink.topic.name}): outside the topics the
     * print route reads ({@code <topic.prefix>.*}), one per connector.
     */
    public String notificationTopic() {
        return CaptureScope.APP_SCHEMA + ".notifications." + connectorName;
    }

    /** {@code cdc_camel.signal_<slot>}: one per connector, so that connectors of one database never read each other's. */
    static String defaultSignalTable(String slot) {
        return CaptureScope.APP_SCHEMA + ".signal_" + slot.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase();
    }

    /** Whether the app sets REPLICA IDENTITY FULL on the captured tables itself (it owns the database). */
    public boolean setsReplicaIdentityFull() {
        return settings.replicaIdentityFull() && settings.manage();
    }

    public CaptureScope scope() {
        return scope;
    }

    /** The captured tables ({@code schema.table}) as of the last sync: what the live view lists. */
    public List<String> captured() {
        return captured;
    }

    /**
     * The connector settings the app adds to the file's: partitions left to their root, generated
     * columns left out ({@link CaptureScope#generatedColumnSettings}), the signal channel. Known
     * after {@link #sync()}.
     */
    public Map<String, String> derivedConnectorSettings() {
        Map<String, String> derived = new LinkedHashMap<>(scope.partitionSettings(partitions));
        derived.putAll(scope.generatedColumnSettings(generated));
        derived.put("signal.enabled.channels", "source");
        derived.put("signal.data.collection", signalTable);
        // Debezium's snapshot notifications (started, each table's scan and its status, completed) to a topic the app
        // reads: the jobs' states in embedded and external mode alike (no JMX needed)
        derived.put("notification.enabled.channels", "sink");
        derived.put("notification.sink.topic.name", notificationTopic());
        // the signal table's own rows (requests, Debezium's window marks) never reach Kafka: Connect's Filter drops them
        derived.put("transforms", prepend(SIGNALS_TRANSFORM, connectorConfig.get("transforms")));
        derived.put("transforms." + SIGNALS_TRANSFORM + ".type", "org.apache.kafka.connect.transforms.Filter");
        derived.put("transforms." + SIGNALS_TRANSFORM + ".predicate", SIGNALS_PREDICATE);
        derived.put("predicates", prepend(SIGNALS_PREDICATE, connectorConfig.get("predicates")));
        derived.put("predicates." + SIGNALS_PREDICATE + ".type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        // the app's own tables (signal, heartbeat) never reach Kafka, whatever the include lists say
        derived.put("predicates." + SIGNALS_PREDICATE + ".pattern", CaptureScope.regexLiteral(scope.topicPrefix() + "."
                + CaptureScope.APP_SCHEMA + ".") + ".*");
        return derived;
    }

    static final String SIGNALS_TRANSFORM = "cdcCamelDropSignals";
    static final String SIGNALS_PREDICATE = "cdcCamelSignalTopic";

    private static String prepend(String name, String list) {
        if (list == null || list.isBlank()) {
            return name;
        }
        List<String> names = new ArrayList<>(List.of(list.trim().split("\\s*,\\s*")));
        names.remove(name);
        names.add(0, name);
        return String.join(",", names);
    }

    /**
     * Brings the database in line (where {@code manage} lets the app change it), logs what is
     * captured, added and removed, and queues the added tables' snapshot. Safe to run at any time.
     */
    public synchronized void sync() throws SQLException {
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
            SourceTables read = SourceTables.read(c);
            boolean first = !synced;
            synced = true;
            partitions = first ? read.partitionsOfCapturedRoots(scope) : partitions;
            boolean streamedBefore = slotExists(c);
            if (settings.manage()) {
                appTables(c);
                if (first && !streamedBefore && jobsTableExists(c)) {
                    // a new slot: the connector's first snapshot reads every captured table, earlier jobs are moot
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("DELETE FROM " + sqlName(jobs.table()));
                    }
                }
            }
            String signalSql = sqlName(signalTable);
            Publication.Change change = Publication.plan(c, settings.publication(), scope, read,
                    List.of(signalSql, sqlName(HEARTBEAT_TABLE)));
            // the snapshot of the tables the change adds is asked for in its transaction: killed right after, the next
            // start finds the jobs pending (the publication alone would say the tables are captured already)
            Map<String, Boolean> planned = streamedBefore ? toSnapshot(read.captured(scope), change, first) : Map.of();
            List<String> publicationStatements = new ArrayList<>(change.statements());
            if (!publicationStatements.isEmpty() && !planned.isEmpty() && jobsTableExists(c)) {
                publicationStatements.add(jobs.requestStatement(planned));
            }
            apply(c, "publication " + settings.publication(), publicationStatements);
            // A table created in a schema the publication gains, after the read above and before that change committed,
            // wrote its first rows when the publication did not hold it: they are in no stream. The catalog read again
            // after the commit holds it, so it is snapshotted with the other newly captured tables (one created after
            // the commit streams from its first row, and the snapshot reads it too: printed twice, never lost).
            SourceTables tables = change.changed() ? SourceTables.read(c) : read;
            List<SourceTables.Table> now = tables.captured(scope);
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            if (change.existed() && !change.allTables()) {
                for (SourceTables.Table t : now) {
                    boolean before = change.tablesBefore().contains(t.sql()) || change.schemasBefore().contains(t.schema());
                    // a table the publication does not hold yet (created after the read, listed by name) waits for the next refresh
                    boolean after = change.tablesAfter().contains(t.sql()) || change.schemasAfter().contains(t.schema());
                    if (!before && after) {
                        added.add(t.qualified());
                    }
                }
                for (SourceTables.Table t : tables.all()) {
                    boolean before = change.tablesBefore().contains(t.sql()) || change.schemasBefore().contains(t.schema());
                    boolean after = change.tablesAfter().contains(t.sql()) || change.schemasAfter().contains(t.schema());
                    if (before && !after && !t.schema().equals(CaptureScope.APP_SCHEMA) && t.root() == null) {
                        removed.add(t.qualified());
                    }
                }
            }
            if (first) {
                LOG.info("Capturing {} table(s) by {}: {}", now.size(), scope.describe(),
                        now.stream().map(SourceTables.Table::qualified).toList());
            }
            if (change.allTables()) {
                LOG.warn("Publication {} is FOR ALL TABLES: PostgreSQL publishes every table; Debezium keeps to {}",
                        settings.publication(), scope.describe());
            }
            apply(c, "the grants of role " + settings.role(), grants(c, tables, now));
            replicaIdentity(c, tables);
            if (!removed.isEmpty()) {
                LOG.info("No longer captured (not printed from now on): {}", removed);
            }
            if (!added.isEmpty()) {
                // tables the catalog read after the commit holds and the publication's transaction did not ask for
                Map<String, Boolean> late = streamedBefore ? toSnapshot(now, change, first) : Map.of();
                late.keySet().removeAll(planned.keySet());
                if (!late.isEmpty() && settings.manage()) {
                    try (Statement s = c.createStatement()) {
                        s.execute(jobs.requestStatement(late));
                    }
                }
                if (streamedBefore && first) {
                    LOG.info("Newly captured: {}; Debezium snapshots them (incremental: streaming goes on, the tables "
                            + "captured before are not read again)", added);
                } else if (streamedBefore) {
                    // tables that appeared while streaming: Debezium 3.6's incremental snapshot skips a table it has
                    // not met in the stream yet ("Schema retrieval failed ... for <table>", seen with a schema created
                    // after the start), and rows written before the publication held the table are in no stream;
                    // a blocking snapshot reads the table's structure first (streaming pauses while it runs)
                    LOG.info("Newly captured while streaming: {}; Debezium reads them in a blocking snapshot (streaming "
                            + "pauses while it runs)", added);
                } else {
                    LOG.info("Newly captured: {}; the connector's first snapshot reads them", added);
                }
            }
            captured = now.stream().map(SourceTables.Table::qualified).toList();
            generated = generatedColumns(now);
        }
    }

    static Map<TableId, List<String>> generatedColumns(List<SourceTables.Table> tables) {
        Map<TableId, List<String>> columns = new TreeMap<>();
        tables.stream().filter(t -> !t.generated().isEmpty())
                .forEach(t -> columns.put(new TableId(null, t.schema(), t.name()), t.generated()));
        return Map.copyOf(columns);
    }

    /**
     * The tables {@code change} adds to the publication, each with whether an incremental snapshot
     * reads it (else a blocking one): at the first sync of a start, incremental for tables with a
     * key; while streaming, blocking (Debezium 3.6's incremental snapshot skips a table it has not
     * met in the stream yet, "Schema retrieval failed ... for <table>").
     */
    private static Map<String, Boolean> toSnapshot(List<SourceTables.Table> tables, Publication.Change change, boolean first) {
        Map<String, Boolean> out = new TreeMap<>();
        if (!change.existed() || change.allTables()) {
            return out;
        }
        for (SourceTables.Table t : tables) {
            boolean before = change.tablesBefore().contains(t.sql()) || change.schemasBefore().contains(t.schema());
            boolean after = change.tablesAfter().contains(t.sql()) || change.schemasAfter().contains(t.schema());
            if (!before && after) {
                out.put(t.qualified(), first && t.hasPrimaryKey());
            }
        }
        return out;
    }

    private boolean jobsTableExists(Connection c) throws SQLException {
        return exists(c, "SELECT to_regclass(?) IS NOT NULL", sqlName(jobs.table()));
    }

    /** Sends the pending jobs' {@code execute-snapshot} signal once the connector runs this app's config. */
    public void snapshotPending(BooleanSupplier connectorRunning) {
        snapshotPending(connectorRunning, tables -> { });
    }

    /** As above; {@code requested} hears of the tables whose snapshot was asked for (the progress watch). */
    public synchronized void snapshotPending(BooleanSupplier connectorRunning, Consumer<Set<String>> requested) {
        try {
            Map<String, SnapshotJobs.Job> unsent = jobs.unsent();
            if (unsent.isEmpty() || !connectorRunning.getAsBoolean()) {
                return;
            }
            // an incremental job gets a signal of its own, the next once Debezium has answered for the one before:
            // Debezium 3.6 reads a signal's next table in the transaction the failure of one aborted (every table after
            // it fails too), or stops for good after "Error while executing incremental snapshot ... skipping", its
            // window left open; a signal sent while one runs joins it. Alone, a table fails for its own reason only.
            // The blocking jobs (keyless tables) go in one signal; a filtered one in a signal of its own
            // (Debezium's additional-conditions are per signal).
            Map<String, Set<String>> groups = new TreeMap<>();
            boolean incrementalFree = !jobs.inFlight(SnapshotJobs.INCREMENTAL);
            for (Map.Entry<String, SnapshotJobs.Job> u : unsent.entrySet()) {
                SnapshotJobs.Job job = u.getValue();
                if (SnapshotJobs.INCREMENTAL.equals(job.kind())) {
                    if (incrementalFree) {
                        groups.put("incremental", new TreeSet<>(Set.of(u.getKey())));
                        incrementalFree = false;
                    }
                } else {
                    groups.computeIfAbsent(job.filter() == null ? job.kind() : job.kind() + "|" + u.getKey(),
                            k -> new TreeSet<>()).add(u.getKey());
                }
            }
            for (Map.Entry<String, Set<String>> e : groups.entrySet()) {
                Set<String> tables = e.getValue();
                SnapshotJobs.Job first = unsent.get(tables.iterator().next());
                if ("blocking".equals(first.kind())) {
                    // an incremental snapshot reads by key ranges: a keyless table is read whole, streaming paused meanwhile
                    LOG.info("Debezium reads {} in a blocking snapshot (streaming pauses while it runs)", tables);
                }
                signal(tables, first.kind(), first.filter());
                requested.accept(tables);
            }
        } catch (SQLException e) {
            LOG.warn("Could not ask Debezium to snapshot the pending tables yet (retrying): {}", Preflight.firstLine(e.getMessage()));
        }
    }

    /**
     * Asks for one table's snapshot (the API): a job, unless one of the table is requested or
     * running already, whose signal is sent at once. Incremental for a table with a key, blocking
     * for one without; {@code filter} (Debezium's {@code additional-conditions}) may be null.
     *
     * @return the snapshot's type, or null when one of the table is requested or running already
     */
    public synchronized String snapshot(String table, String filter) throws SQLException {
        boolean keyless;
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
            keyless = SourceTables.read(c).all().stream().filter(t -> t.qualified().equals(table))
                    .anyMatch(t -> !t.hasPrimaryKey());
        }
        if (!jobs.request(table, !keyless, filter)) {
            return null;
        }
        // the connector runs (the API answers for a running app); a signal it has not taken up waits in the table
        snapshotPending(() -> true);
        return keyless ? "blocking" : "incremental";
    }

    /**
     * Each captured table with its snapshot job ({@code captured}: none asked for by the app, read
     * by the connector's first snapshot or streamed from its first row), and how many failed.
     */
    public Map<String, Object> tablesView() throws SQLException {
        Map<String, SnapshotJobs.Job> byTable = new TreeMap<>();
        jobs.list().forEach(j -> byTable.put(j.table(), j));
        List<Map<String, Object>> tables = new ArrayList<>();
        int failed = 0;
        for (String table : captured) {
            SnapshotJobs.Job job = byTable.get(table);
            if (job == null) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("table", table);
                v.put("state", "captured");
                tables.add(v);
            } else {
                tables.add(job.view());
                failed += SnapshotJobs.FAILED.equals(job.state()) ? 1 : 0;
            }
        }
        failedTables = failed;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("tables", tables);
        view.put("failedTables", failed);
        return view;
    }

    private volatile int failedTables;

    /** Captured tables whose snapshot job failed, as of the last {@link #tablesView()} (the metric and the health). */
    public int failedTables() {
        return failedTables;
    }

    /** Whether a snapshot of newly captured tables waits for its signal. */
    public boolean snapshotPending() {
        try {
            return !jobs.unsent().isEmpty();
        } catch (SQLException e) {
            return false;
        }
    }

    private volatile long lastSnapshotRequest;

    /** When a snapshot was last asked for (0: never). */
    public long lastSnapshotRequestMillis() {
        return lastSnapshotRequest;
    }

    /**
     * Writes Debezium's {@code execute-snapshot} signal for {@code tables} into the signal table,
     * and the jobs' signal id, in one transaction. The names go as regular expressions that match
     * each name alone (Debezium matches {@code data-collections} as patterns: {@code a+b} would
     * match {@code aab} and never {@code a+b}).
     */
    private void signal(Set<String> tables, String type, String filter) throws SQLException {
        lastSnapshotRequest = System.currentTimeMillis();
        String id = UUID.randomUUID().toString();
        ObjectNode data = MAPPER.createObjectNode();
        CaptureScope.dataCollections(tables).forEach(data.putArray("data-collections")::add);
        data.put("type", type);
        if (filter != null) {
            for (String table : CaptureScope.dataCollections(tables)) {
                ObjectNode condition = data.withArray("additional-conditions").addObject();
                condition.put("data-collection", table);
                condition.put("filter", filter);
            }
        }
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + sqlName(signalTable)
                    + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
                s.setString(1, id);
                s.setString(2, data.toString());
                s.executeUpdate();
                jobs.markSignalled(c, tables, id);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        LOG.info("Asked Debezium for {} snapshot of {} (signal execute-snapshot {} in {})", "blocking".equals(type) ? "a blocking"
                : "an " + type, tables, id, signalTable);
    }

    private boolean slotExists(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, settings.slot());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The signal table and the heartbeat table, and the connector role's rights on them. */
    private void appTables(Connection c) throws SQLException {
        // Debezium's signal table: its own marks of an incremental snapshot's windows go there too
        appTable(c, signalTable, "(id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data text)");
        appTable(c, HEARTBEAT_TABLE, "(id int PRIMARY KEY, ts timestamptz NOT NULL)");
        // the snapshot jobs: the app's own, the connector role needs no rights on it
        if (!exists(c, "SELECT to_regclass(?) IS NOT NULL", sqlName(jobs.table()))) {
            apply(c, "table " + jobs.table(), List.of("CREATE SCHEMA IF NOT EXISTS " + SourceTables.quote(CaptureScope.APP_SCHEMA),
                    "CREATE TABLE IF NOT EXISTS " + sqlName(jobs.table()) + " " + SnapshotJobs.COLUMNS));
        }
    }

    private void appTable(Connection c, String table, String columns) throws SQLException {
        String schema = table.substring(0, table.indexOf('.'));
        List<String> statements = new ArrayList<>();
        boolean missing = !exists(c, "SELECT to_regclass(?) IS NOT NULL", sqlName(table));
        if (missing) {
            statements.add("CREATE SCHEMA IF NOT EXISTS " + SourceTables.quote(schema));
            statements.add("CREATE TABLE IF NOT EXISTS " + sqlName(table) + " " + columns);
        }
        if (missing || !exists(c, "SELECT has_table_privilege(" + literal(settings.role()) + ", ?, 'INSERT')", sqlName(table))) {
            statements.add("GRANT USAGE ON SCHEMA " + SourceTables.quote(schema) + " TO " + SourceTables.quote(settings.role()));
            statements.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + sqlName(table) + " TO " + SourceTables.quote(settings.role()));
        }
        apply(c, "table " + table, statements);
    }

    /** The grants the connector role lacks: USAGE on each captured schema, SELECT on each captured table. */
    private List<String> grants(Connection c, SourceTables tables, List<SourceTables.Table> now) throws SQLException {
        if (!roleExists(c)) {
            return List.of();
        }
        List<String> statements = new ArrayList<>();
        String role = SourceTables.quote(settings.role());
        Set<String> schemas = new TreeSet<>();
        now.forEach(t -> schemas.add(t.schema()));
        if (scope.bySchemaOnly()) {
            schemas.addAll(tables.capturedSchemas(scope));
        }
        for (String schema : schemas) {
            if (!exists(c, "SELECT has_schema_privilege(" + literal(settings.role()) + ", ?, 'USAGE')", schema)) {
                statements.add("GRANT USAGE ON SCHEMA " + SourceTables.quote(schema) + " TO " + role);
            }
        }
        if (scope.bySchemaOnly()) {
            // tables created there later are readable by the connector from their first row (a schema created while
            // streaming too: at the refresh that adds it), unless the catalog holds that default already (pg_default_acl)
            String holds = "SELECT EXISTS (SELECT 1 FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace"
                    + " CROSS JOIN LATERAL aclexplode(d.defaclacl) a WHERE n.nspname = ? AND d.defaclobjtype = 'r'"
                    + " AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                    + " AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = " + literal(settings.role()) + ")"
                    + " AND a.privilege_type = 'SELECT')";
            for (String schema : tables.capturedSchemas(scope)) {
                if (exists(c, holds, schema)) {
                    continue;
                }
                statements.add("ALTER DEFAULT PRIVILEGES IN SCHEMA " + SourceTables.quote(schema) + " GRANT SELECT ON TABLES TO "
                        + role);
            }
        }
        for (SourceTables.Table t : now) {
            if (!exists(c, "SELECT has_table_privilege(" + literal(settings.role()) + ", ?, 'SELECT')", t.sql())) {
                statements.add("GRANT SELECT ON " + t.sql() + " TO " + role);
            }
        }
        return statements;
    }

    /**
     * Where the app owns the database, every table holding captured rows gets REPLICA IDENTITY
     * FULL: update and delete events then carry the whole old row, and an unchanged TOASTed value
     * its value instead of Debezium's placeholder. Elsewhere the tables without it are named once.
     */
    private void replicaIdentity(Connection c, SourceTables tables) throws SQLException {
        List<SourceTables.Table> notFull = tables.storage(scope).stream().filter(t -> t.replicaIdentity() != 'f').toList();
        if (notFull.isEmpty()) {
            return;
        }
        if (settings.replicaIdentityFull() && settings.manage()) {
            List<String> statements = notFull.stream().map(t -> "ALTER TABLE " + t.sql() + " REPLICA IDENTITY FULL").toList();
            apply(c, "REPLICA IDENTITY FULL of " + notFull.stream().map(SourceTables.Table::qualified).toList(), statements);
        } else if (!warnedNotFull) {
            warnedNotFull = true;
            LOG.warn("{} captured table(s) without REPLICA IDENTITY FULL: an UPDATE or DELETE that leaves a large (TOASTed)"
                    + " value unchanged prints \"__debezium_unavailable_value\" for it, and \"before\" holds the key only. "
                    + "Fix, per table: {}", notFull.size(), String.join(" ", notFullFixes(notFull)));
        }
    }

    /** The tables ({@code schema.table}) whose updates may print Debezium's placeholder: for the health check. */
    public List<String> withoutFullReplicaIdentity() throws SQLException {
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
            return SourceTables.read(c).storage(scope).stream().filter(t -> t.replicaIdentity() != 'f')
                    .map(SourceTables.Table::qualified).toList();
        }
    }

    static List<String> notFullFixes(List<SourceTables.Table> tables) {
        return tables.stream().map(t -> "ALTER TABLE " + t.sql() + " REPLICA IDENTITY FULL;").toList();
    }

    /** Runs {@code statements} in one transaction; when the user may not, says what to run instead. */
    private void apply(Connection c, String what, List<String> statements) throws SQLException {
        if (statements.isEmpty()) {
            return;
        }
        if (!settings.manage()) {
            LOG.warn("Not changing {} (cdc.capture.manage-database=false); to capture what {} names, run:\n  {}", what,
                    "the connector file", String.join(";\n  ", statements) + ";");
            return;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
            LOG.debug("Applied to {}: {}", what, statements);
        } catch (SQLException e) {
            c.rollback();
            if ("42501".equals(e.getSQLState())) { // insufficient_privilege
                LOG.error("User {} may not change {} ({}). Run as a superuser or the tables' owner:\n  {}", settings.user(),
                        what, Preflight.firstLine(e.getMessage()), String.join(";\n  ", statements) + ";");
                return;
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private boolean roleExists(Connection c) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", settings.role());
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && (rs.getMetaData().getColumnType(1) != Types.BIT || rs.getBoolean(1));
            }
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code schema.table} of Debezium's settings, quoted for SQL. */
    static String sqlName(String qualified) {
        int dot = qualified.indexOf('.');
        return SourceTables.quote(qualified.substring(0, dot)) + "." + SourceTables.quote(qualified.substring(dot + 1));
    }
}
