package io.cdccamel.connect;

import io.cdccamel.settings.PostgresSettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The planner's row estimate of each table ({@code EXPLAIN SELECT * FROM t}): {@code pg_class.reltuples}
 * once the table was analyzed, and the table's size in pages times the tuple density before that
 * (a table loaded just now has {@code reltuples = -1}); a small table is counted. Cheap: no large table is scanned.
 */
public final class PgRowEstimates implements SnapshotProgress.RowEstimator {

    private static final Pattern PLAN_ROWS = Pattern.compile("Plan Rows\"\\s*:\\s*([0-9.eE+]+)");

    private static final long EXACT_BELOW = 100_000;

    private final String url;
    private final String user;
    private final String password;

    public PgRowEstimates(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** With the app's own login to the source database. */
    public static PgRowEstimates from(PostgresSettings postgres) {
        return new PgRowEstimates(postgres.jdbcUrl(), postgres.user(), postgres.password());
    }

    @Override
    public Map<String, Long> apply(List<String> tables) {
        Map<String, Long> estimates = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            for (String table : tables) {
                String[] parts = table.split("\\.");
                if (parts.length < 2) {
                    continue;
                }
                String schema = parts[parts.length - 2];
                String name = parts[parts.length - 1];
                String relation = quote(schema) + "." + quote(name);
                long estimate = -1;
                try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) SELECT * FROM " + relation)) {
                    if (rs.next()) {
                        Matcher m = PLAN_ROWS.matcher(rs.getString(1));
                        if (m.find()) {
                            estimate = (long) Double.parseDouble(m.group(1));
                        }
                    }
                }
                if (estimate < EXACT_BELOW) {
                    // the planner assumes 10 pages for a small table never vacuumed: counting is cheap there
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation)) {
                        rs.next();
                        estimate = rs.getLong(1);
                    }
                }
                estimates.put(table, estimate);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not estimate the tables' rows: " + e.getMessage(), e);
        }
        return estimates;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
