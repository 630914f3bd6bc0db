package io.cdccamel.capture;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The snapshot of a table as a job with a durable state: {@code requested} (the signal not sent
 * yet, or sent and not taken up), {@code running}, {@code done} (rows read) or {@code failed}
 * (with the reason in one line). One row per table in {@code cdc_camel.snapshot_jobs_<slot>}.
 * <p>
 * Why a table in the source database, not a compacted Kafka topic: the request is written in the
 * same transaction as the publication change that makes the table captured, and the
 * {@code execute-snapshot} signal in the same transaction as the job's {@code signal_id}. A kill
 * -9 at any point leaves either both or neither, so a table never sits in the publication without
 * a pending job, and a job is never sent twice or lost. A topic cannot commit with PostgreSQL.
 * Debezium's answers (its notifications, read from the {@code sink} channel's topic by
 * {@link SnapshotNotifications}) move the jobs on; a job whose signal Debezium has not answered for
 * the stall timeout is failed with its last activity.
 */
public final class SnapshotJobs {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");

    public static final String REQUESTED = "requested";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    static final String INCREMENTAL = "incremental";
    /** The reason of a job failed by the stall timeout starts so: Debezium's late answer still counts. */
    static final String STALLED = "stalled";

    /** One job, as the API and the live page show it. */
    public record Job(String table, String state, String kind, long rows, String reason, String activity,
                      long requestedAtMillis, long updatedAtMillis, String signalId, String filter, int attempts) {
        Map<String, Object> view() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("table", table);
            v.put("state", state);
            v.put("snapshot", kind);
            v.put("rows", rows);
            if (reason != null) {
                v.put("reason", reason);
            }
            if (activity != null) {
                v.put("lastActivity", activity);
            }
            if (filter != null) {
                v.put("filter", filter);
            }
            v.put("requestedAt", requestedAtMillis);
            v.put("updatedAt", updatedAtMillis);
            return v;
        }
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String table;

    SnapshotJobs(String jdbcUrl, String user, String password, String table) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.table = table;
    }

    /** {@code cdc_camel.snapshot_jobs_<slot>}: one per connector, as the signal table. */
    static String defaultTable(String slot) {
        return CaptureScope.APP_SCHEMA + ".snapshot_jobs_" + slot.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase();
    }

    String table() {
        return table;
    }

    static final String COLUMNS = "(table_name text PRIMARY KEY, state varchar(16) NOT NULL, kind varchar(16) NOT NULL, "
            + "filter text, signal_id varchar(64), signalled_at timestamptz, rows_scanned bigint NOT NULL DEFAULT 0, "
            + "reason text, activity text, requested_at timestamptz NOT NULL DEFAULT now(), "
            + "updated_at timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0)";

    /**
     * How often a table Debezium did not know when it took the signal up is asked for again. Right
     * after the app changes the connector's config (a schema the include list gains, generated
     * columns), Connect's status cannot tell the old task from the new one; the old one may take the
     * signal up and skip the tables its config lacks ("Schema retrieval failed ... for <table>"). The
     * job goes back to requested and is signalled again once the connector runs the current config.
     */
    static final int UNKNOWN_TABLE_RETRIES = 3;

    /**
     * The statement that asks for the snapshot of {@code tables} (schema.table -> incremental), run
     * in the transaction that adds them to the publication: a job of the same table is replaced
     * unless one is requested or running already.
     */
    String requestStatement(Map<String, Boolean> tables) {
        List<String> values = new ArrayList<>();
        tables.forEach((t, incremental) -> values.add("(" + literal(t) + ", '" + REQUESTED + "', '"
                + (incremental ? "incremental" : "blocking") + "')"));
        return "INSERT INTO " + CaptureSync.sqlName(table) + " (table_name, state, kind) VALUES " + String.join(", ", values)
                + " ON CONFLICT (table_name) DO UPDATE SET " + resetFrom("EXCLUDED.kind", "NULL")
                + " WHERE " + alias() + ".state IN ('" + DONE + "', '" + FAILED + "')";
    }

    private static String resetFrom(String kind, String filter) {
        return "state = '" + REQUESTED + "', kind = " + kind + ", filter = " + filter + ", signal_id = NULL, signalled_at = NULL, "
                + "rows_scanned = 0, reason = NULL, activity = NULL, requested_at = now(), updated_at = now(), attempts = 0";
    }

    private String alias() {
        return CaptureSync.sqlName(table);
    }

    /**
     * Asks for one table's snapshot: one job per table, whoever asks at once (PostgreSQL's row lock
     * orders concurrent requests; the later one sees the job requested and gets false).
     *
     * @return false when a snapshot of the table is requested or running already
     */
    boolean request(String qualified, boolean incremental, String filter) throws SQLException {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + alias() + " (table_name, state, kind, filter) VALUES (?, '"
                     + REQUESTED + "', ?, ?) ON CONFLICT (table_name) DO UPDATE SET " + resetFrom("EXCLUDED.kind", "EXCLUDED.filter")
                     + " WHERE " + alias() + ".state IN ('" + DONE + "', '" + FAILED + "') RETURNING table_name")) {
            s.setString(1, qualified);
            s.setString(2, incremental ? "incremental" : "blocking");
            s.setString(3, filter);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The jobs whose signal is not sent yet: table -> job. */
    Map<String, Job> unsent() throws SQLException {
        Map<String, Job> out = new TreeMap<>();
        for (Job j : list()) {
            if (REQUESTED.equals(j.state()) && j.signalId() == null) {
                out.put(j.table(), j);
            }
        }
        return out;
    }

    /** In the signal's transaction: the jobs of {@code tables} took signal {@code id}. */
    void markSignalled(Connection c, Set<String> tables, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + alias() + " SET signal_id = ?, signalled_at = now(), "
                + "updated_at = now(), activity = 'signal execute-snapshot sent' WHERE table_name = ANY (?) AND state = '"
                + REQUESTED + "' AND signal_id IS NULL")) {
            s.setString(1, id);
            Array names = c.createArrayOf("text", tables.toArray());
            s.setArray(2, names);
            s.executeUpdate();
        }
    }

    /** Every job, by table. */
    public List<Job> list() throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("SELECT table_name, state, kind, rows_scanned, reason, activity, "
                     + "(extract(epoch FROM requested_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint, "
                     + "signal_id, filter, attempts FROM " + alias() + " ORDER BY table_name");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                jobs.add(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                        rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getString(10), rs.getInt(11)));
            }
        }
        return jobs;
    }

    /**
     * One of Debezium's notifications ({@code io.debezium.pipeline.notification.Notification} as
     * the JSON converter writes it): moves the jobs it concerns on. An incremental snapshot's
     * notifications carry the signal's id; a blocking snapshot's ("Initial Snapshot") carry a
     * random one and are matched by table, for jobs signalled before the notification was made.
     *
     * @return the jobs that failed through it
     */
    List<Job> apply(JsonNode notification) throws SQLException {
        String aggregate = notification.path("aggregate_type").asText();
        String type = notification.path("type").asText();
        String id = notification.path("id").asText();
        JsonNode data = notification.path("additional_data");
        long at = notification.path("timestamp").asLong(System.currentTimeMillis());
        boolean incremental = "Incremental Snapshot".equals(aggregate);
        if (!incremental && !"Initial Snapshot".equals(aggregate)) {
            return List.of();
        }
        // which jobs: the signal's (incremental) or the blocking ones signalled before this notification
        String which = incremental ? "signal_id = ?" : "kind = 'blocking' AND signal_id IS NOT NULL AND signalled_at <= "
                + "to_timestamp(? / 1000.0) + interval '5 seconds'";
        String live = " AND (state IN ('" + REQUESTED + "', '" + RUNNING + "') OR (state = '" + FAILED + "' AND reason LIKE '"
                + STALLED + "%'))";
        List<Job> failed = new ArrayList<>();
        try (Connection c = connect()) {
            switch (type) {
                case "STARTED", "RESUMED" -> update(c, "state = '" + RUNNING + "', reason = NULL, activity = ?", which + live,
                        null, incremental, id, at, type + " " + data.path("data_collections").asText(""));
                case "IN_PROGRESS", "TABLE_CHUNK_IN_PROGRESS" -> {
                    String current = data.path("current_collection_in_progress").asText();
                    String last = data.path("last_processed_key").asText("");
                    String max = data.path("maximum_key").asText("");
                    update(c, "state = '" + RUNNING + "', reason = NULL, activity = ?", which + live + " AND table_name = ?",
                            current, incremental, id, at, "reading" + (last.isEmpty() ? "" : ", key " + last
                                    + (max.isEmpty() ? "" : " of " + max)));
                }
                case "TABLE_SCAN_COMPLETED" -> {
                    String scanned = data.path("scanned_collection").asText();
                    String status = data.path("status").asText();
                    long rows = data.path("total_rows_scanned").asLong(0);
                    if ("SUCCEEDED".equals(status) || "EMPTY".equals(status)) {
                        update(c, "state = '" + DONE + "', reason = NULL, rows_scanned = " + rows + ", activity = ?",
                                which + live + " AND table_name = ?", scanned, incremental, id, at, "table scan " + status);
                    } else {
                        if ("UNKNOWN_SCHEMA".equals(status)) {
                            askAgain(c, which + live + " AND table_name = ?", scanned, incremental, id, at, status);
                        }
                        String reason = reason(status, scanned);
                        failed.addAll(update(c, "state = '" + FAILED + "', reason = " + literal(reason) + ", activity = ?",
                                which + live + " AND table_name = ?", scanned, incremental, id, at, "table scan " + status));
                    }
                }
                case "ABORTED" -> failed.addAll(update(c, "state = '" + FAILED + "', reason = 'Debezium aborted the snapshot "
                        + "(a stop-snapshot signal, or the connector stopped it)', activity = ?", which + live, null, incremental,
                        id, at, type));
                case "COMPLETED" -> {
                    askAgain(c, which + live, null, incremental, id, at, "not read");
                    failed.addAll(update(c, "state = '" + FAILED + "', reason = 'Debezium completed the snapshot "
                        + "without reading this table (it did not find it by that name)', activity = ?", which + live,
                        null, incremental, id, at, type));
                }
                default -> { }
            }
        }
        return failed;
    }

    /**
     * A table Debezium did not know when it took the signal up goes back to requested, to be
     * signalled again ({@link #UNKNOWN_TABLE_RETRIES} times at most; then it fails as any other).
     */
    private void askAgain(Connection c, String where, String table, boolean incremental, String id, long at, String status)
            throws SQLException {
        List<Job> again = update(c, "state = '" + REQUESTED + "', signal_id = NULL, signalled_at = NULL, reason = NULL, "
                + "attempts = attempts + 1, activity = ?", where + " AND attempts < " + UNKNOWN_TABLE_RETRIES, table,
                incremental, id, at, "Debezium did not read it (" + status + "; a task restarting for a new connector "
                + "config takes a signal up with the old one): asked again");
        for (Job j : again) {
            LOG.warn("Debezium did not read {} ({}): its task may have been restarting for a new connector config; "
                    + "asking for its snapshot again", j.table(), status);
        }
    }

    /**
     * Whether a snapshot of {@code kind} is in flight: a job signalled and not answered yet, or
     * running. The next incremental job waits for it (a signal sent meanwhile joins the running
     * snapshot, and shares its fate).
     */
    boolean inFlight(String kind) throws SQLException {
        for (Job j : list()) {
            if (kind.equals(j.kind()) && (RUNNING.equals(j.state()) || REQUESTED.equals(j.state()) && j.signalId() != null)) {
                return true;
            }
        }
        return false;
    }

    /** One line: Debezium's status, what it means and the fix where one exists. */
    static String reason(String status, String table) {
        return switch (status) {
            case "SQL_EXCEPTION" -> "Debezium could not read " + table + " (SQL_EXCEPTION; its WARN or ERROR line "
                    + "\"... incremental snapshot for table '" + table + "' ...\" in the Connect worker's log gives the exception). "
                    + "Fix the cause, then POST /api/tables/" + table + "/snapshot";
            case "UNKNOWN_SCHEMA" -> "Debezium does not know " + table + "'s structure yet (UNKNOWN_SCHEMA). "
                    + "Fix: write a row to it, then POST /api/tables/" + table + "/snapshot";
            case "NO_PRIMARY_KEY" -> "Debezium's incremental snapshot needs a primary key, " + table + " has none "
                    + "(NO_PRIMARY_KEY). Fix: add one, or POST /api/tables/" + table + "/snapshot (a blocking snapshot for keyless tables)";
            case "SKIPPED" -> "Debezium skipped " + table + " (SKIPPED)";
            default -> "Debezium's snapshot of " + table + " ended with status " + status;
        };
    }

    private List<Job> update(Connection c, String set, String where, String table, boolean incremental, String id, long at,
                             String activity) throws SQLException {
        List<Job> changed = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("UPDATE " + alias() + " SET " + set + ", updated_at = now() WHERE " + where
                + " RETURNING table_name, state, kind, rows_scanned, reason, activity")) {
            int i = 1;
            s.setString(i++, activity);
            if (incremental) {
                s.setString(i++, id);
            } else {
                s.setLong(i++, at);
            }
            if (table != null) {
                s.setString(i, table);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    changed.add(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6), 0, 0, id, null, 0));
                }
            }
        }
        return changed;
    }

    /**
     * Jobs Debezium has said nothing of for {@code timeoutMillis} since their signal or its last
     * notification: failed, with that last activity.
     */
    List<Job> failStalled(long timeoutMillis) throws SQLException {
        List<Job> stalled = new ArrayList<>();
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("UPDATE " + alias() + " SET state = '" + FAILED + "', reason = '"
                     + STALLED + ": no word from Debezium for ' || ? || ' s (last: ' || coalesce(activity, 'none') || ' at ' "
                     + "|| to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS TZ') || '). Fix: see the Connect worker''s log for this "
                     + "table, restart the connector''s task, then POST /api/tables/' || table_name || '/snapshot', updated_at = now() "
                     + "WHERE state IN ('" + REQUESTED + "', '" + RUNNING + "') AND signal_id IS NOT NULL "
                     + "AND updated_at < now() - (? * interval '1 millisecond') "
                     + "RETURNING table_name, state, kind, rows_scanned, reason, activity")) {
            s.setString(1, Long.toString(timeoutMillis / 1000));
            s.setLong(2, timeoutMillis);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    stalled.add(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6), 0, 0, null, null, 0));
                }
            }
        }
        return stalled;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    static void logFailed(List<Job> failed) {
        for (Job j : failed) {
            LOG.error("Snapshot of {} failed: {}", j.table(), j.reason());
        }
    }
}
