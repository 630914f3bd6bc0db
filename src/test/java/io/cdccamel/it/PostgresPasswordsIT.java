package io.cdccamel.it;

import io.cdccamel.stack.ConnectorRole;
import io.cdccamel.stack.LocalStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded PostgreSQL asks every role for its password over TCP (the superuser, the connector's
 * role, a role made later; replication connections too), keeps its Unix socket in its data folder,
 * and the README's psql line works as pasted.
 */
@ExtendWith(EmbeddedStackExtension.class)
class PostgresPasswordsIT {

    private static String url() {
        return EmbeddedStackExtension.stack().postgres().jdbcUrl();
    }

    private static Connection connect(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url(), p);
    }

    private static void assertRefused(String user, String password) {
        assertThatThrownBy(() -> connect(user, password).close()).as(user + " with " + password)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(password == null ? "password" : "password authentication failed");
    }

    @Test
    void shouldRefuseAWrongPasswordForEveryRole() throws Exception {
        try (Connection c = connect("postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS it_later_role");
            s.execute("CREATE ROLE it_later_role LOGIN PASSWORD 'later-secret'");
            try (ResultSet r = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getBoolean(1)).isTrue();
            }
        }
        for (String user : List.of("postgres", ConnectorRole.ROLE, "it_later_role", "nobody")) {
            assertRefused(user, "wrong");
            assertRefused(user, null);
        }
        try (Connection c = connect("it_later_role", "later-secret")) {
            assertThat(c.isValid(5)).isTrue();
        }
        String connectorPassword = ConnectorRole.password(Path.of("target", "it-stack", "secrets", "connector.properties"));
        try (Connection c = connect(ConnectorRole.ROLE, connectorPassword)) {
            assertThat(c.isValid(5)).isTrue();
        }
        // a replication connection (Debezium's) gives its password too
        Properties replication = new Properties();
        replication.setProperty("user", "postgres");
        replication.setProperty("password", "wrong");
        replication.setProperty("replication", "database");
        replication.setProperty("assumeMinServerVersion", "10");
        replication.setProperty("preferQueryMode", "simple");
        assertThatThrownBy(() -> DriverManager.getConnection(url(), replication).close())
                .hasMessageContaining("password authentication failed");
        try (Connection c = connect("postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE it_later_role");
        }
    }

    @Test
    void shouldKeepTheUnixSocketInTheDataFolder() throws Exception {
        LocalStack stack = EmbeddedStackExtension.stack();
        int port = stack.postgres().port();
        Path data = Path.of("target", "it-stack", "postgres", "data");
        assertThat(data.resolve(".s.PGSQL." + port)).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(Path.of("/tmp", ".s.PGSQL." + port)).doesNotExist();
        String hba = Files.readString(data.resolve("pg_hba.conf"));
        assertThat(hba.lines().filter(l -> !l.startsWith("#")).filter(l -> !l.endsWith("scram-sha-256"))
                .filter(l -> !l.isBlank())).as("rules other than scram").isEmpty();
        assertThat(hba).contains("local   all             all                                     scram-sha-256");
    }

    @Test
    void shouldRunTheReadmesPsqlLineAsPasted() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher line = Pattern.compile("Try:  (PGPASSWORD=postgres psql -h localhost -p )5432( -U postgres -d postgres) -c ")
                .matcher(readme);
        assertThat(line.find()).as("the README's Try: line").isTrue();
        int port = EmbeddedStackExtension.stack().postgres().port();
        // the README's command on this stack's port, with a query that changes nothing
        String command = line.group(1) + port + line.group(2) + " -tA -c \"SELECT current_user\"";
        Process psql = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(psql.exitValue()).as(out).isZero();
        assertThat(out.trim()).isEqualTo("postgres");

        Process wrong = new ProcessBuilder("bash", "-c", command.replace("PGPASSWORD=postgres", "PGPASSWORD=wrong"))
                .redirectErrorStream(true).start();
        String refused = new String(wrong.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(wrong.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong.exitValue()).isNotZero();
        assertThat(refused).contains("password authentication failed");
    }
}
