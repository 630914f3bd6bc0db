package io.cdccamel.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PostgreSQL must offer before Debezium can stream from it, checked before the connector is
 * registered: each unmet prerequisite is one line that names the fix, instead of a connector that
 * fails later with a stack trace in Connect's log.
 */
public final class Preflight {

    /** The oldest major version with {@code publish_via_partition_root} (13). */
    static final int OLDEST_MAJOR = 13;
    /** Debezium's {@code plugin.name} when the connector file sets none. */
    public static final String DEBEZIUM_DEFAULT_PLUGIN = "decoderbufs";

    /** One unmet prerequisite (blocking) or a risk to know of (a warning), each with its fix. */
    public record Finding(boolean blocking, String line) {
    }

    private Preflight() {
    }

    /**
     * @param jdbcUrl  the database, as the configured user reaches it
     * @param slotName the connector's {@code slot.name}
     * @param plugin   the connector's {@code plugin.name}
     * @param role     the connector's {@code database.user}
     */
    public static List<Finding> check(String jdbcUrl, String user, String password, String slotName, String plugin,
                                      String role) {
        List<Finding> findings = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            int versionNum = intSetting(c, "server_version_num");
            if (versionNum / 10000 < OLDEST_MAJOR) {
                findings.add(new Finding(true, "PostgreSQL " + setting(c, "server_version") + " is older than "
                        + OLDEST_MAJOR + " (needed for publish_via_partition_root). Fix: upgrade the server to "
                        + OLDEST_MAJOR + " or later"));
                return findings;
            }
            String walLevel = setting(c, "wal_level");
            if (!"logical".equals(walLevel)) {
                findings.add(new Finding(true, "wal_level is '" + walLevel + "'; logical decoding needs 'logical'. Fix: "
                        + "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"));
            }
            boolean slotExists = exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slotName);
            if (slotExists) {
                slotMismatch(c, slotName, plugin).ifPresent(line -> findings.add(new Finding(true, line)));
            }
            int maxSlots = intSetting(c, "max_replication_slots");
            int usedSlots = count(c, "SELECT count(*) FROM pg_replication_slots");
            if (!slotExists && usedSlots >= maxSlots) {
                findings.add(new Finding(true, "All " + maxSlots + " replication slots are in use (max_replication_slots = "
                        + maxSlots + "); Debezium needs one for slot '" + slotName + "'. Fix: ALTER SYSTEM SET "
                        + "max_replication_slots = " + (maxSlots + 4) + "; then restart PostgreSQL, or drop a slot nobody "
                        + "reads: SELECT pg_drop_replication_slot('<name>');"));
            }
            int maxSenders = intSetting(c, "max_wal_senders");
            int usedSenders = count(c, "SELECT count(*) FROM pg_stat_replication");
            if (usedSenders >= maxSenders) {
                findings.add(new Finding(true, "All " + maxSenders + " WAL senders are busy (max_wal_senders = " + maxSenders
                        + "); Debezium needs one. Fix: ALTER SYSTEM SET max_wal_senders = " + (maxSenders + 4)
                        + "; then restart PostgreSQL"));
            }
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", role)) {
                if (!mayCreateRoles(c)) {
                    findings.add(new Finding(true, "Role " + role + " (the connector's database.user) does not exist, and "
                            + user + " may not create it. Fix, as a superuser: CREATE ROLE " + SourceTables.quote(role)
                            + " WITH LOGIN REPLICATION PASSWORD '<the value of CDC_CONNECTOR_PASSWORD>';"));
                }
            } else if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ? AND (rolreplication OR rolsuper) AND rolcanlogin",
                    role)) {
                findings.add(new Finding(true, "Role " + role + " may not log in or stream changes. Fix: ALTER ROLE "
                        + SourceTables.quote(role) + " WITH LOGIN REPLICATION;"));
            }
        } catch (SQLException e) {
            findings.add(new Finding(true, "Cannot reach PostgreSQL at " + jdbcUrl + " as " + user + ": "
                    + firstLine(e.getMessage()) + ". Fix: set cdc.postgres.host, cdc.postgres.port, cdc.postgres.user and "
                    + "cdc.postgres.password"));
        }
        return findings;
    }

    /**
     * What makes an existing slot unusable for the connector (a slot it did not make: another
     * program's, or one made by hand): physical, of another decoding plugin, or of another database.
     * Debezium would otherwise fail on it at every restart with a stack trace.
     */
    static java.util.Optional<String> slotMismatch(Connection c, String slotName, String plugin) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT slot_type, plugin, database, database = current_database(), "
                + "current_database() FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slotName);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return java.util.Optional.empty();
                }
                String type = rs.getString(1);
                String slotPlugin = rs.getString(2);
                String what;
                if (!"logical".equals(type)) {
                    what = "is a " + type + " slot; Debezium needs a logical one";
                } else if (!plugin.equals(slotPlugin)) {
                    what = "decodes with plugin " + slotPlugin + "; the connector's plugin.name is " + plugin;
                } else if (!rs.getBoolean(4)) {
                    what = "belongs to database " + rs.getString(3) + "; the connector reads " + rs.getString(5);
                } else {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of("Replication slot '" + slotName + "' exists and " + what + " (made by another"
                        + " program or by hand, not by this app). Fix: if nothing reads it, SELECT pg_drop_replication_slot('"
                        + slotName.replace("'", "''") + "'); else give the connector a slot of its own: "
                        + "cdc.connector.config.slot.name=<a new name>");
            }
        }
    }

    /** Whether {@code user} may create the role and grant REPLICATION (a superuser). */
    static boolean mayCreateRoles(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT current_setting(?)")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static int intSetting(Connection c, String name) throws SQLException {
        return Integer.parseInt(setting(c, name).trim());
    }

    private static int count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
