package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.testing.Superuser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/connector/pause|resume|restart} against the real Connect worker of the shared
 * embedded stack: a pause that Connect holds (connector and task PAUSED) and the app's registration
 * leaves alone while rows are inserted, a resume that prints every one of them once, a restart of
 * all (the task's replication connection is a new one) and of the failed parts only (nothing when
 * nothing failed; the task a real failure stopped, once its cause is fixed), each refused without
 * the token; the same from the live page in headless Chromium, and its buttons off without the link.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ConnectorControlIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    private Chromium browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static HttpResponse<String> post(TestApp app, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.apiUrl() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    /** Connect's own status of the connector (its REST port, not this app's API). */
    private static JsonNode connectStatus(String connector) throws Exception {
        return AppsUnderTest.connect("/connectors/" + connector + "/status");
    }

    private static String states(JsonNode status) {
        StringBuilder s = new StringBuilder(status.path("connector").path("state").asText());
        status.path("tasks").forEach(t -> s.append(' ').append(t.path("state").asText()));
        return s.toString();
    }

    /** The process id of the replication connection reading the connector's slot, or -1. */
    private static long slotReader(String connector) throws Exception {
        try (Connection c = Superuser.connect(EmbeddedStackExtension.stack());
             ResultSet rs = c.createStatement().executeQuery("SELECT coalesce(active_pid, -1) FROM pg_replication_slots "
                     + "WHERE slot_name = 'slot_" + connector + "'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** How many create events of row {@code id} the output file holds. */
    private static long printed(TestApp app, int id) {
        return OutputEntries.read(app.outputFile()).stream()
                .filter(e -> "c".equals(e.op()) && e.json().path("after").path("id").asInt() == id).count();
    }

    private static String health(TestApp app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Whether the page shows the control button {@code action}, and it is on (the page may still be loading). */
    private static boolean buttonOn(Chromium.Tab tab, String action) {
        return tab.eval("(() => { const b = document.querySelector('#connector-control button[data-action=\"" + action
                + "\"]'); return !!b && !b.disabled; })()").asBoolean();
    }

    @Test
    void shouldPauseResumeAndRestartWithTheTokenAndLoseNothing() throws Exception {
        Db.createProductTable("it_ctl", "(1, 'before the pause')");
        TestApp app = apps.start("it_ctl", "ctl_connector", "ctl");
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        await().atMost(TIMEOUT).until(() -> OutputEntries.read(app.outputFile()).size() == 1);

        // without the token, or with a wrong one: refused, and Connect's connector untouched
        for (String path : List.of("/api/connector/pause", "/api/connector/resume",
                "/api/connector/restart?includeTasks=true&onlyFailed=false")) {
            assertThat(post(app, path, null).statusCode()).as(path).isEqualTo(403);
            assertThat(post(app, path, "not-the-token").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(states(connectStatus("ctl_connector"))).isEqualTo("RUNNING RUNNING");

        // pause, with a reason holding quotes, a newline and non-ASCII text
        String reason = "nightly \"ETL\"\nload \u00e9t\u00e9 \u2603";
        JsonNode paused = ok(post(app, "/api/connector/pause?reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8),
                app.apiToken()));
        assertThat(paused.path("state").asText()).isEqualTo("PAUSED");
        assertThat(paused.path("tasks").get(0).path("state").asText()).isEqualTo("PAUSED");
        assertThat(paused.path("pausedBy").path("by").asText()).startsWith("the API token (Authorization: Bearer) from ");
        assertThat(paused.path("pausedBy").path("reason").asText()).isEqualTo(reason);
        assertThat(states(connectStatus("ctl_connector"))).as("in Connect itself").isEqualTo("PAUSED PAUSED");

        // rows inserted while paused are not printed, and the app's registration does not undo the pause
        Db.exec("INSERT INTO it_ctl.product VALUES (2, 'during the pause'), (3, 'also during')",
                "UPDATE it_ctl.product SET name = 'updated during' WHERE id = 1");
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.PAUSED);
        long ticks = app.camel().getRoute("register-connector").getUptimeMillis();
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                .until(() -> OutputEntries.read(app.outputFile()).size() == 1
                        && app.registration().state() == ConnectorRegistration.State.PAUSED);
        assertThat(app.camel().getRoute("register-connector").getUptimeMillis() - ticks).isGreaterThan(4_000);
        assertThat(states(connectStatus("ctl_connector"))).as("still paused after ~10 registration ticks")
                .isEqualTo("PAUSED PAUSED");
        assertThat(app.registration().lastMessage()).contains("paused by the API token").contains(reason);
        String health = health(app);
        assertThat(health).as("a deliberate pause is no failure: " + health)
                .contains("\"name\":\"connector\",\"status\":\"UP\"").contains("is PAUSED");
        JsonNode shown = MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/api/connector")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(shown.path("registration").asText()).isEqualTo("PAUSED");
        assertThat(shown.path("pausedBy").path("reason").asText()).isEqualTo(reason);

        // resume: every row of the pause printed, once
        JsonNode resumed = ok(post(app, "/api/connector/resume", app.apiToken()));
        assertThat(resumed.path("state").asText()).isEqualTo("RUNNING");
        assertThat(resumed.has("pausedBy")).isFalse();
        await().atMost(TIMEOUT).until(() -> printed(app, 2) == 1 && printed(app, 3) == 1
                && OutputEntries.read(app.outputFile()).stream().anyMatch(e -> "u".equals(e.op())));
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        assertThat(app.registration().pauseNote()).isNull();

        // restart of the failed parts only: nothing failed, nothing restarted, the same replication connection
        long reader = slotReader("ctl_connector");
        assertThat(reader).isPositive();
        JsonNode failedOnly = ok(post(app, "/api/connector/restart?includeTasks=true&onlyFailed=true", app.apiToken()));
        assertThat(failedOnly.path("restarted").size()).as(failedOnly.toString()).isZero();
        assertThat(failedOnly.path("state").asText()).isEqualTo("RUNNING");
        assertThat(slotReader("ctl_connector")).isEqualTo(reader);

        // restart of all: Connect restarts the connector and its task, which reads the slot on a new connection
        JsonNode all = ok(post(app, "/api/connector/restart?includeTasks=true&onlyFailed=false", app.apiToken()));
        assertThat(all.path("restarted").toString()).as(all.toString()).isEqualTo("[\"connector\",\"task 0\"]");
        await().atMost(TIMEOUT).until(() -> slotReader("ctl_connector") > 0 && slotReader("ctl_connector") != reader);
        await().atMost(TIMEOUT).until(() -> states(connectStatus("ctl_connector")).equals("RUNNING RUNNING"));
        Db.exec("INSERT INTO it_ctl.product VALUES (4, 'after the restart')");
        await().atMost(TIMEOUT).until(() -> printed(app, 4) == 1);
        assertThat(printed(app, 2)).isEqualTo(1);
        assertThat(printed(app, 3)).isEqualTo(1);
        // bad input: a clear 400, nothing done
        HttpResponse<String> bad = post(app, "/api/connector/restart?includeTasks=yes", app.apiToken());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("includeTasks must be true or false");
    }

    @Test
    void shouldRestartOnlyTheTaskARealFailureStopped() throws Exception {
        Db.createProductTable("it_ctl_fail", "(1, 'before the failure')");
        Db.exec("DROP ROLE IF EXISTS cdc_ctl_fail",
                "CREATE ROLE cdc_ctl_fail WITH LOGIN REPLICATION PASSWORD 'fail'",
                "GRANT USAGE ON SCHEMA it_ctl_fail TO cdc_ctl_fail",
                "GRANT SELECT ON ALL TABLES IN SCHEMA it_ctl_fail TO cdc_ctl_fail");
        TestApp app = apps.start("it_ctl_fail", "ctl_fail_connector", "ctl-fail", false, Map.of(
                "cdc.connector.config.database.user", "cdc_ctl_fail",
                "cdc.connector.config.database.password", "fail",
                "cdc.connector.config.errors.max.retries", "0",
                // the app restarts nothing itself: the restart here is the user's
                "cdc.connect.max-restarts", "0"));
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        await().atMost(TIMEOUT).until(() -> OutputEntries.read(app.outputFile()).size() == 1);

        // the cause, for real: the role may no longer log in, and its replication connection is cut
        Db.exec("ALTER ROLE cdc_ctl_fail NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cdc_ctl_fail'");
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.GAVE_UP);
        assertThat(states(connectStatus("ctl_fail_connector"))).isEqualTo("RUNNING FAILED");
        assertThat(post(app, "/api/connector/restart?includeTasks=true&onlyFailed=true", null).statusCode()).isEqualTo(403);

        Db.exec("ALTER ROLE cdc_ctl_fail LOGIN");
        JsonNode restart = ok(post(app, "/api/connector/restart?includeTasks=true&onlyFailed=true", app.apiToken()));
        assertThat(restart.path("restarted").toString()).as(restart.toString()).isEqualTo("[\"task 0\"]");
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        Db.exec("INSERT INTO it_ctl_fail.product VALUES (2, 'after the restart')");
        await().atMost(TIMEOUT).until(() -> printed(app, 2) == 1);
        assertThat(states(connectStatus("ctl_fail_connector"))).isEqualTo("RUNNING RUNNING");
    }

    @Test
    void shouldPauseResumeAndRestartFromThePageOnlyWhenItHoldsTheToken() throws Exception {
        Db.createProductTable("it_ctl_page", "(1, 'first row')");
        TestApp app = apps.start("it_ctl_page", "ctl_page_connector", "ctl-page");
        await().atMost(TIMEOUT).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        browser = Chromium.start(Path.of("target", "it-apps").toAbsolutePath().resolve("chromium-ctl-" + System.nanoTime()),
                1400, 1000);

        // opened without the link: the buttons are off and say how to get it; a POST from it is refused
        Chromium.Tab plain = browser.open(app.apiUrl() + "/");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "RUNNING".equals(plain.eval("window.cdcControl ? window.cdcControl.state() : null").asText()));
        assertThat(plain.eval("[...document.querySelectorAll('#connector-control button')].every(b => b.disabled)")
                .asBoolean()).as("every control button off").isTrue();
        assertThat(plain.eval("document.querySelector('#connector-control button[data-action=\"pause\"]').title").asText())
                .contains("?token=");
        assertThat(plain.eval("document.querySelector('#connector-control .connector-note').textContent").asText())
                .contains("?token=");
        assertThat(plain.eval("fetch('/api/connector/pause', {method: 'POST'}).then(r => r.status)").asInt()).isEqualTo(403);
        assertThat(states(connectStatus("ctl_page_connector"))).isEqualTo("RUNNING RUNNING");

        // opened from the banner's link: Pause
        Chromium.Tab tab = browser.open(app.apiLink());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> buttonOn(tab, "pause"));
        assertThat(tab.eval("document.querySelector('#connector-control button[data-action=\"resume\"]').disabled")
                .asBoolean()).as("nothing to resume").isTrue();
        tab.eval("document.querySelector('#connector-control button[data-action=\"pause\"]').click()");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> tab.eval(
                "document.querySelector('#connector-control .connector-paused').textContent").asText()
                .contains("Paused on purpose by the live page from 127.0.0.1"));
        assertThat(states(connectStatus("ctl_page_connector"))).isEqualTo("PAUSED PAUSED");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> "PAUSED".equals(
                tab.eval("document.querySelector('#connector .state').textContent").asText()));
        assertThat(app.registration().lastMessage()).contains("paused by the live page");
        Db.exec("INSERT INTO it_ctl_page.product VALUES (2, 'while paused from the page')");

        // Resume: the row of the pause printed
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> buttonOn(tab, "resume"));
        tab.eval("document.querySelector('#connector-control button[data-action=\"resume\"]').click()");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> tab.eval(
                "document.querySelector('#connector-control .connector-note').textContent").asText()
                .startsWith("resume: connector RUNNING"));
        await().atMost(TIMEOUT).until(() -> printed(app, 2) == 1);
        // back to normal on the page: the connector panel reads RUNNING, no pause line, Resume off
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> "RUNNING".equals(
                tab.eval("document.querySelector('#connector .state').textContent").asText()) && !buttonOn(tab, "resume"));
        assertThat(tab.eval("document.querySelector('#connector-control .connector-paused').textContent").asText()).isEmpty();

        // Restart all
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> buttonOn(tab, "restart-all"));
        tab.eval("document.querySelector('#connector-control button[data-action=\"restart-all\"]').click()");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> tab.eval(
                "document.querySelector('#connector-control .connector-note').textContent").asText()
                .contains("restarted: connector, task 0"));
        await().atMost(TIMEOUT).until(() -> states(connectStatus("ctl_page_connector")).equals("RUNNING RUNNING"));
        // the panel (the live view's own reading of Connect, once a second) catches up: connector and task RUNNING
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> tab.eval(
                "[...document.querySelectorAll('#connector .state')].map(e => e.textContent).join(' ')").asText()
                .equals("RUNNING RUNNING"));
        tab.screenshot(Path.of("target", "connector-control.png"));
    }
}
