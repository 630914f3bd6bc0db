package io.cdccamel.connect;

import io.cdccamel.base.Published;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Captured tables whose UPDATE and DELETE PostgreSQL rejects: published for updates or deletes,
 * without a primary key and with the default replica identity. {@value #SQL_RESOURCE} (also
 * docker-compose's init script) defines them, fixes them and keeps them fixed with an event
 * trigger where the app owns the database (embedded mode); elsewhere the app names them.
 */
@Published
public final class KeylessTables {

    public static final String SQL_RESOURCE = "/postgres-init/20-keyless-tables.sql";
    private static final String VIEW = "CREATE OR REPLACE VIEW public.cdc_camel_keyless_tables AS";

    private KeylessTables() {
    }

    /** The whole script: the view, the fix, the event trigger, the fix of the tables there now. */
    public static String script() {
        try (InputStream in = KeylessTables.class.getResourceAsStream(SQL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SQL_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The query of the script's view, so that a database without the view is asked the same thing. */
    static String query() {
        String script = script();
        int start = script.indexOf(VIEW);
        return script.substring(start + VIEW.length(), script.indexOf(';', start)).trim();
    }

    /** Runs the script (needs a superuser: it creates an event trigger); returns the tables it fixed. */
    public static List<String> fix(Connection c) throws SQLException {
        List<String> keyless = find(c);
        try (Statement s = c.createStatement()) {
            s.execute(script());
        }
        return keyless;
    }

    /** The keyless captured tables of the database at {@code jdbcUrl}. */
    public static List<String> find(String jdbcUrl, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            return find(c);
        }
    }

    static List<String> find(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name::text FROM (" + query() + ") keyless ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** The one-line fix of a table, as a user types it in psql. */
    public static String fixFor(String table) {
        return "ALTER TABLE " + table + " REPLICA IDENTITY FULL;";
    }
}
