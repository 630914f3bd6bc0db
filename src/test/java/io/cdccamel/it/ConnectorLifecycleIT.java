package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.stack.ConnectorRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route {@code register-connector} against the real Connect worker: a changed config applied
 * with PUT, a task failed for real (its role may no longer log in) restarted until it recovers,
 * and the connector connected as a least-privilege role.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ConnectorLifecycleIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private TestApp start(String schema, String connector, String instance, Map<String, String> extra) throws Exception {
        return apps.start(schema, connector, instance, false, extra);
    }

    private static JsonNode get(String path) throws Exception {
        return AppsUnderTest.connect(path);
    }

    private static List<String> column(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static void awaitRunning(TestApp app) {
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
    }

    @Test
    void shouldApplyAConfigThatDiffersFromTheRunningOneWithPut() throws Exception {
        Db.createProductTable("it_drift", "(1, 'a')");
        TestApp first = start("it_drift", "drift_connector", "drift-a", Map.of());
        awaitRunning(first);
        assertThat(get("/connectors/drift_connector/config").path("poll.interval.ms").asText()).isEqualTo("10");
        apps.stop(first);

        TestApp second = start("it_drift", "drift_connector", "drift-b",
                Map.of("cdc.connector.config.poll.interval.ms", "250"));

        await().atMost(TIMEOUT).until(() -> second.registration().updatedCount() == 1);
        awaitRunning(second);
        assertThat(get("/connectors/drift_connector/config").path("poll.interval.ms").asText()).isEqualTo("250");
        assertThat(second.registration().createdCount()).isZero();
        // applied once: the next checks find nothing to change
        await().atMost(TIMEOUT).until(() -> second.registration().lastMessage() != null);
        assertThat(second.registration().updatedCount()).isEqualTo(1);
    }

    @Test
    void shouldRestartAFailedTaskUntilItRecoversOnceTheCauseIsFixed() throws Exception {
        Db.createProductTable("it_heal", "(1, 'before the failure')");
        Db.exec("DROP ROLE IF EXISTS cdc_heal",
                "CREATE ROLE cdc_heal WITH LOGIN REPLICATION PASSWORD 'heal'",
                "GRANT USAGE ON SCHEMA it_heal TO cdc_heal",
                "GRANT SELECT ON ALL TABLES IN SCHEMA it_heal TO cdc_heal");
        TestApp app = start("it_heal", "heal_connector", "heal", Map.of(
                "cdc.connector.config.database.user", "cdc_heal",
                "cdc.connector.config.database.password", "heal",
                // fail the task at the first lost connection instead of retrying inside it
                "cdc.connector.config.errors.max.retries", "0",
                "cdc.connect.max-restarts", "100",
                "cdc.connect.backoff-max.ms", "1000"));
        awaitRunning(app);
        await().atMost(TIMEOUT).until(() -> OutputEntries.read(app.outputFile()).size() == 1);

        // the cause, for real: the role may no longer log in, and its replication connection is cut
        Db.exec("ALTER ROLE cdc_heal NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cdc_heal'");
        AtomicInteger restarts = new AtomicInteger();
        await().atMost(TIMEOUT).until(() -> {
            restarts.accumulateAndGet(app.registration().restartCount(), Math::max);
            return restarts.get() >= 1;
        });
        // the restarted task may report RUNNING while Debezium retries its connection inside it

        Db.exec("ALTER ROLE cdc_heal LOGIN");
        awaitRunning(app);
        Db.exec("INSERT INTO it_heal.product VALUES (2, 'after the recovery')");
        await().atMost(TIMEOUT).until(() -> OutputEntries.read(app.outputFile()).stream()
                .anyMatch(e -> "c".equals(e.op()) && e.json().path("after").path("id").asInt() == 2));
        assertThat(get("/connectors/heal_connector/status").path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void shouldStreamAsALeastPrivilegeRoleNotASuperuser() throws Exception {
        Db.createProductTable("it_role", "(1, 'a')");
        TestApp app = start("it_role", "role_connector", "role", Map.of());
        awaitRunning(app);
        await().atMost(TIMEOUT).until(() -> OutputEntries.read(app.outputFile()).size() == 1);

        String user = app.app.getCamelContext()
                .resolvePropertyPlaceholders("{{cdc.connector.config.database.user:cdc_connector}}");
        assertThat(user).isEqualTo(ConnectorRole.ROLE);
        assertThat(column("SELECT rolsuper || ',' || rolreplication || ',' || rolcanlogin FROM pg_roles WHERE rolname = '"
                + user + "'")).containsExactly("false,true,true");
        assertThat(column("SELECT r.usename FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid "
                + "WHERE s.slot_name = 'slot_role_connector'")).containsExactly(user);
    }
}
