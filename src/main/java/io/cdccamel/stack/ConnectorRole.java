package io.cdccamel.stack;

import io.cdccamel.base.Published;
import io.cdccamel.connect.KeylessTables;
import io.cdccamel.settings.Hermetic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Least privilege for the connector, in the embedded PostgreSQL: a role with LOGIN and REPLICATION
 * (not a superuser) that may read the captured schema, and the publication made ahead of time
 * ({@code publication.autocreate.mode=disabled}). docker-compose does the same in
 * {@code docker/postgres-init/10-cdc-connector.sh}.
 */
@Published
public final class ConnectorRole {

    public static final String ROLE = "cdc_connector";
    public static final String PASSWORD_KEY = "CDC_CONNECTOR_PASSWORD";
    public static final String SCHEMA = "debezium";
    public static final String PUBLICATION = "dbz_publication";
    /** PostgreSQL's SQLSTATE invalid_password. */
    static final String INVALID_PASSWORD = "28P01";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRole.class);

    private ConnectorRole() {
    }

    /** Creates the role (LOGIN REPLICATION, nothing more) or sets its password; needs a superuser. */
    public static void ensureRole(Connection c, String password) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
                    + "CREATE ROLE " + ROLE + "; END IF; END $$");
            try (PreparedStatement alter = c.prepareStatement("SELECT format('ALTER ROLE %I WITH LOGIN REPLICATION "
                    + "NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', ?, ?)")) {
                alter.setString(1, ROLE);
                alter.setString(2, password);
                try (var rs = alter.executeQuery()) {
                    rs.next();
                    s.execute(rs.getString(1));
                }
            }
        }
    }

    /**
     * The role's password: {@code CDC_CONNECTOR_PASSWORD} when the environment holds it (the
     * connector reads {@code ${env:CDC_CONNECTOR_PASSWORD}} from there first, {@link EmbeddedSecretsProvider}),
     * else the one generated once into {@code secretsFile} (mode 600).
     */
    public static String password(Path secretsFile) throws IOException {
        String given = Hermetic.getenv(PASSWORD_KEY);
        if (given != null && !given.isEmpty()) {
            return given;
        }
        Properties secrets = new Properties();
        if (Files.exists(secretsFile)) {
            try (InputStream in = Files.newInputStream(secretsFile)) {
                secrets.load(in);
            }
        }
        String password = secrets.getProperty(PASSWORD_KEY);
        if (password == null || password.isBlank()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = HexFormat.of().formatHex(random);
            secrets.setProperty(PASSWORD_KEY, password);
            Files.createDirectories(secretsFile.getParent());
            try (OutputStream out = Files.newOutputStream(secretsFile)) {
                secrets.store(out, "cdc-camel embedded stack: the connector role's password (generated)");
            }
            try {
                Files.setPosixFilePermissions(secretsFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            LOG.info("Generated the password of role {} into {}", ROLE, secretsFile);
        }
        return password;
    }

    /** Where {@link #password} takes the password from, for a line that tells a user where to look. */
    public static String passwordSource(Path secretsFile) {
        String given = Hermetic.getenv(PASSWORD_KEY);
        return given != null && !given.isEmpty() ? "environment variable " + PASSWORD_KEY : PASSWORD_KEY + " in " + secretsFile;
    }

    /**
     * Whether {@code role} logs in to {@code jdbcUrl} with {@code password}: false only when
     * PostgreSQL says the password is wrong (SQLSTATE 28P01), as for a role an earlier install,
     * another instance or a DBA made with another one; any other refusal is not this check's to report.
     */
    public static boolean acceptsPassword(String jdbcUrl, String role, String password) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, role, password)) {
            return true;
        } catch (SQLException e) {
            return !INVALID_PASSWORD.equals(e.getSQLState());
        }
    }

    /** {@code ALTER ROLE <role> PASSWORD '<password>'}, quoted by PostgreSQL itself. */
    public static void setPassword(Connection c, String role, String password) throws SQLException {
        try (PreparedStatement alter = c.prepareStatement("SELECT format('ALTER ROLE %I PASSWORD %L', ?, ?)");
             Statement s = c.createStatement()) {
            alter.setString(1, role);
            alter.setString(2, password);
            try (var rs = alter.executeQuery()) {
                rs.next();
                s.execute(rs.getString(1));
            }
        }
    }

    /**
     * Creates or updates the role, and the demo schema's grants and publication when missing (the
     * app then keeps the publication and grants to what the connector file captures:
     * {@code capture.CaptureSync}); safe to run at every start.
     */
    public static void ensure(String jdbcUrl, String adminUser, String adminPassword, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, adminUser, adminPassword);
             Statement s = c.createStatement()) {
            ensureRole(c, password);
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + ROLE);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + SCHEMA + " TO " + ROLE);
            s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + SCHEMA + " GRANT SELECT ON TABLES TO " + ROLE);
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = '" + PUBLICATION + "') THEN "
                    + "CREATE PUBLICATION " + PUBLICATION + " FOR TABLES IN SCHEMA " + SCHEMA
                    + " WITH (publish_via_partition_root = true); END IF; END $$");
            for (String table : KeylessTables.fix(c)) {
                LOG.info("Table {} has no primary key: set REPLICA IDENTITY FULL, so that PostgreSQL takes its UPDATEs"
                        + " and DELETEs while the publication publishes them (new tables get it when created)", table);
            }
        }
    }
}
