package io.cdccamel.it;

import io.cdccamel.stack.ConnectorRole;
import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.PostgresPassword;
import io.cdccamel.testing.Superuser;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL asks every role for its password over TCP (the superuser, the connector's
 * role, a role made later; replication connections too), keeps its Unix socket in its data folder,
 * and the README's psql line works as pasted. The superuser's password is the install's own: the
 * tutorial's {@code postgres} is refused on a fresh install, the generated one is kept owner-only
 * and reused at every start, and a data folder of an earlier version is moved off {@code postgres}.
 */
@ExtendWith(EmbeddedStackExtension.class)
class PostgresPasswordsIT {

    private static final Path STACK = Path.of("target", "it-stack");

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
        try (Connection c = connect("postgres", Superuser.password(STACK)); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS it_later_role");
            s.execute("CREATE ROLE it_later_role LOGIN PASSWORD 'later-secret'");
            try (ResultSet r = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getBoolean(1)).isTrue();
            }
        }
        for (String user : List.of("postgres", ConnectorRole.ROLE, "it_later_role", "nobody")) {
            assertRefused(user, "wrong");
            assertRefused(user, "postgres");
            assertRefused(user, null);
        }
        try (Connection c = connect("it_later_role", "later-secret")) {
            assertThat(c.isValid(5)).isTrue();
        }
        String connectorPassword = ConnectorRole.password(STACK.resolve("secrets").resolve("connector.properties"));
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
        try (Connection c = connect("postgres", Superuser.password(STACK)); Statement s = c.createStatement()) {
            s.execute("DROP ROLE it_later_role");
        }
    }

    @Test
    void shouldKeepTheUnixSocketInTheDataFolder() throws Exception {
        LocalStack stack = EmbeddedStackExtension.stack();
        int port = stack.postgres().port();
        Path data = STACK.resolve("postgres").resolve("data");
        assertThat(data.resolve(".s.PGSQL." + port)).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(Path.of("/tmp", ".s.PGSQL." + port)).doesNotExist();
        String hba = Files.readString(data.resolve("pg_hba.conf"));
        assertThat(hba.lines().filter(l -> !l.startsWith("#")).filter(l -> !l.endsWith("scram-sha-256"))
                .filter(l -> !l.isBlank())).as("rules other than scram").isEmpty();
        assertThat(hba).contains("local   all             all                                     scram-sha-256");
    }

    @Test
    void shouldRefuseTheTutorialsPasswordOnAFreshInstallAndKeepTheGeneratedOneOwnerOnly() throws Exception {
        String password = Superuser.password(STACK);
        assertThat(password).isNotEqualTo("postgres").hasSizeGreaterThanOrEqualTo(32);
        assertThat(EmbeddedStackExtension.stack().postgresPassword()).isEqualTo(password);
        assertRefused("postgres", "postgres");
        try (Connection c = connect("postgres", password); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean(1)).isTrue();
        }
        for (Path file : List.of(PostgresPassword.file(STACK), PostgresPassword.pgpassFile(STACK))) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
        assertThat(mode(STACK.resolve("secrets"))).isEqualTo("rwx------");
        // psql as another local user would try it, and with the install's password file
        int port = EmbeddedStackExtension.stack().postgres().port();
        Psql guess = psql("PGPASSWORD=postgres psql -h 127.0.0.1 -p " + port + " -U postgres -d postgres -tA -c 'SELECT 1'");
        assertThat(guess.exit()).as(guess.out()).isNotZero();
        assertThat(guess.out()).contains("password authentication failed");
        Psql file = psql("PGPASSFILE=" + PostgresPassword.pgpassFile(STACK) + " psql -h 127.0.0.1 -p " + port
                + " -U postgres -w -d postgres -tA -c 'SELECT current_user'");
        assertThat(file.exit()).as(file.out()).isZero();
        assertThat(file.out().trim()).isEqualTo("postgres");
    }

    @Test
    void shouldRunTheReadmesPsqlLineAsPasted() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher line = Pattern.compile("Try:  PGPASSFILE=data/secrets/pgpass (psql -h localhost -p )5432( -U postgres -d postgres) -c ")
                .matcher(readme);
        assertThat(line.find()).as("the README's Try: line").isTrue();
        int port = EmbeddedStackExtension.stack().postgres().port();
        // the README's command on this stack's port and folder, with a query that changes nothing
        String command = line.group(1) + port + line.group(2) + " -w -tA -c \"SELECT current_user\"";
        Psql pasted = psql("PGPASSFILE=" + PostgresPassword.pgpassFile(STACK) + " " + command);
        assertThat(pasted.exit()).as(pasted.out()).isZero();
        assertThat(pasted.out().trim()).isEqualTo("postgres");

        Psql wrong = psql("PGPASSWORD=wrong " + command);
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.out()).contains("password authentication failed");
    }

    /**
     * The app in its own JVM, started three times on one data folder: the password made at the
     * first start is the one of the second, and a folder as an earlier version left it (superuser
     * password {@code postgres}, no password file) gets a generated password, with an INFO line.
     */
    @Test
    void shouldReuseThePasswordAtARestartAndMoveAnEarlierVersionsFolderOffTheTutorials() throws Exception {
        try (EmbeddedApp app = new EmbeddedApp("pgpass")) {
            app.stop(app.start());
            String first = Superuser.password(app.stackDir());
            assertThat(Files.readString(app.console(1))).contains("PGPASSFILE=" + PostgresPassword.pgpassFile(app.stackDir()))
                    .doesNotContain(first);
            assertThat(Files.readString(app.logFile(1))).doesNotContain(first);

            Process second = app.start();
            assertThat(Superuser.password(app.stackDir())).as("the second start's").isEqualTo(first);
            app.sql("SELECT 1");
            // what an earlier version left: the tutorial's password, and no password file
            app.sql("ALTER ROLE postgres PASSWORD 'postgres'");
            app.stop(second);
            Files.delete(PostgresPassword.file(app.stackDir()));
            Files.delete(PostgresPassword.pgpassFile(app.stackDir()));

            app.start();
            String third = Superuser.password(app.stackDir());
            assertThat(third).isNotEqualTo(first).isNotEqualTo("postgres");
            assertThat(Files.readString(app.console(3))).contains("was made by an earlier version, with the superuser password postgres");
            String jdbc = "jdbc:postgresql://localhost:" + app.postgresPort + "/postgres";
            assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "postgres").close())
                    .hasMessageContaining("password authentication failed");
            app.sql("SELECT 1");
            assertThat(mode(PostgresPassword.file(app.stackDir()))).isEqualTo("rw-------");
            // the app's own connections read the new one: a row still reaches the output
            app.sql("INSERT INTO debezium.product VALUES (3101, 'after the move')");
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(app.output())
                    && Files.readString(app.output()).contains("after the move"));
        }
    }

    private record Psql(int exit, String out) {
    }

    private static Psql psql(String command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
        // nothing of the user's own libpq settings
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        Process psql = builder.start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Psql(psql.exitValue(), out);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
