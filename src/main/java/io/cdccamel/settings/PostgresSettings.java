package io.cdccamel.settings;

/**
 * {@code cdc.postgres.*}: the source database and the app's own login to it (not the connector's).
 *
 * @param embedded {@code cdc.postgres.embedded}: embedded mode starts its own PostgreSQL; false: the user's own
 * @param host     {@code cdc.postgres.host}
 * @param port     {@code cdc.postgres.port}; in embedded mode the port it listens on (0: any free port)
 * @param user     {@code cdc.postgres.user}
 * @param password {@code cdc.postgres.password}
 * @param database {@code cdc.postgres.database}: the database captured
 */
public record PostgresSettings(boolean embedded, String host, int port, String user, String password, String database) {

    public static final String EMBEDDED = "cdc.postgres.embedded";
    public static final String HOST = "cdc.postgres.host";
    public static final String PORT = "cdc.postgres.port";
    public static final String USER = "cdc.postgres.user";
    public static final String PASSWORD = "cdc.postgres.password";
    public static final String DATABASE = "cdc.postgres.database";

    public static PostgresSettings read(SettingsReader settings) {
        return new PostgresSettings(settings.flag(EMBEDDED, true), settings.text(HOST, "localhost"),
                settings.port(PORT, 5432), settings.text(USER, "postgres"), settings.secret(PASSWORD, ""),
                settings.text(DATABASE, "postgres"));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "PostgresSettings[" + jdbcUrl() + ", user " + user + (embedded ? ", embedded" : "") + "]";
    }
}
