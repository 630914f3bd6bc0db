package io.cdccamel.settings;

import java.nio.file.Path;

/**
 * {@code cdc.postgres.*}: the source database and the app's own login to it (not the connector's).
 *
 * @param embedded {@code cdc.postgres.embedded}: embedded mode starts its own PostgreSQL; false: the user's own
 * @param host     {@code cdc.postgres.host}
 * @param port     {@code cdc.postgres.port}; in embedded mode the port it listens on (0: any free port)
 * @param user     {@code cdc.postgres.user}
 * @param password {@code cdc.postgres.password}; empty: the embedded PostgreSQL's own (generated at its
 *                 first start, in {@code <cdc.stack.dir>/secrets/postgres-password}), or
 *                 {@value #COMPOSE_PASSWORD} for a PostgreSQL of the user's (docker-compose's)
 * @param database {@code cdc.postgres.database}: the database captured
 */
public record PostgresSettings(boolean embedded, String host, int port, String user, String password, String database) {

    public static final String EMBEDDED = "cdc.postgres.embedded";
    public static final String HOST = "cdc.postgres.host";
    public static final String PORT = "cdc.postgres.port";
    public static final String USER = "cdc.postgres.user";
    public static final String PASSWORD = "cdc.postgres.password";
    public static final String DATABASE = "cdc.postgres.database";
    /** docker-compose's superuser password: what a PostgreSQL of the user's is asked with when none is set. */
    public static final String COMPOSE_PASSWORD = "postgres";

    public static PostgresSettings read(SettingsReader settings) {
        boolean embedded = settings.flag(EMBEDDED, true);
        boolean embeddedServer = embedded && StackModeSettings.MODE_EMBEDDED.equals(
                settings.text(StackModeSettings.MODE, StackModeSettings.MODE_EMBEDDED));
        String password = settings.secret(PASSWORD, "");
        // the embedded server's own is set in its place once the stack has read or made it (EmbeddedStackListener)
        return new PostgresSettings(embedded, settings.text(HOST, "localhost"),
                settings.port(PORT, 5432), settings.text(USER, "postgres"),
                password.isEmpty() && !embeddedServer ? COMPOSE_PASSWORD : password,
                settings.text(DATABASE, "postgres"));
    }

    /** The embedded PostgreSQL superuser's password of stack folder {@code stackDir} ({@code cdc.stack.dir}). */
    public static Path passwordFile(Path stackDir) {
        return stackDir.resolve("secrets").resolve("postgres-password");
    }

    /** The same password as libpq's password file, for psql: {@code PGPASSFILE=data/secrets/pgpass psql ...}. */
    public static Path pgpassFile(Path stackDir) {
        return stackDir.resolve("secrets").resolve("pgpass");
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
