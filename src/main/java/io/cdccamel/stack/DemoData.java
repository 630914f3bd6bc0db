package io.cdccamel.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The seed tutorial's table, made ready so that a first change event appears with no manual step:
 * schema {@code debezium}, table {@code debezium.product (id int primary key, name text)}, one row.
 */
public final class DemoData {

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);

    private DemoData() {
    }

    /** Creates the table if it is missing and then inserts one row; returns whether it created it. */
    public static boolean ensure(String jdbcUrl, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('debezium.product') IS NOT NULL")) {
                rs.next();
                exists = rs.getBoolean(1);
            }
            if (exists) {
                LOG.info("Demo table debezium.product already exists; left as it is");
                return false;
            }
            s.execute("CREATE SCHEMA IF NOT EXISTS debezium");
            s.execute("CREATE TABLE debezium.product (id int PRIMARY KEY, name text)");
            // UPDATE and DELETE events then carry the whole old row in "before", not just the key
            s.execute("ALTER TABLE debezium.product REPLICA IDENTITY FULL");
            s.execute("INSERT INTO debezium.product VALUES (23, 'first product')");
            LOG.info("Created demo table debezium.product with one row (id 23)");
            return true;
        }
    }
}
