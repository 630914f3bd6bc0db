package io.cdccamel.it;

import io.cdccamel.stack.ConnectorRole;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL against the embedded PostgreSQL, as a user would type it in psql. */
final class Db {

    private Db() {
    }

    static void exec(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(EmbeddedStackExtension.stack().postgres().jdbcUrl(), "postgres", "postgres");
             Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The publication a connector of the tests streams from, made ahead as in production. */
    static void ensurePublication(String publication, String schema) throws SQLException {
        exec("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = '" + publication + "') THEN "
                + "CREATE PUBLICATION " + publication + " FOR TABLES IN SCHEMA " + schema + "; "
                + "ELSE ALTER PUBLICATION " + publication + " SET TABLES IN SCHEMA " + schema + "; END IF; END $$");
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
