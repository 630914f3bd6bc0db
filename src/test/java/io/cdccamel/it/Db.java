package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import io.cdccamel.stack.ConnectorRole;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL against the embedded PostgreSQL, as a user would type it in psql. */
final class Db {

    private Db() {
    }

    static void exec(String... statements) throws SQLException {
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code query}, a count. */
    static long count(String query) throws SQLException {
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             java.sql.ResultSet rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code pg_class.relreplident} of {@code table}: d (default), f (full), n (nothing) or i (an index). */
    static String replicaIdentity(String table) throws SQLException {
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT relreplident FROM pg_class WHERE oid = '" + table
                     + "'::regclass")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Drops the replication slot a deleted test connector leaves behind ({@code slot_<connector>}):
     * the shared PostgreSQL has 20 slots, and an unread slot holds WAL. Waits (up to 30 s) until no
     * task reads it any more.
     */
    static void dropSlotOf(String connector) {
        String slot = "slot_" + connector;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                    + "' AND NOT active");
            try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '"
                         + slot + "'")) {
                return !rs.next();
            }
        });
    }

    /**
     * The publication a connector of the tests streams from, made ahead as in production when it is
     * missing. One that exists is left to the app, which brings it in line with the connector file
     * at start: setting it back here made the app of CaptureIT's third start see the tables its
     * second start captured as new, and snapshot them again.
     */
    static void ensurePublication(String publication, String schema) throws SQLException {
        exec("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = '" + publication + "') THEN "
                + "CREATE PUBLICATION " + publication + " FOR TABLES IN SCHEMA " + schema + "; END IF; END $$");
    }

    /** A fresh {@code <schema>.product (id int primary key, name text)}, as the demo table. */
    static void createProductTable(String schema, String... inserts) throws SQLException {
        exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE",
                "CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".product (id int PRIMARY KEY, name text)",
                "ALTER TABLE " + schema + ".product REPLICA IDENTITY FULL",
                // what the connector's least-privilege role needs, as ConnectorRole grants for "debezium"
                "GRANT USAGE ON SCHEMA " + schema + " TO " + ConnectorRole.ROLE,
                "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + ConnectorRole.ROLE);
        for (String values : inserts) {
            exec("INSERT INTO " + schema + ".product VALUES " + values);
        }
    }
}
