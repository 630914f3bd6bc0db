package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdccamel.testing.GrafanaDashboard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 34, pictures over time: the app as a user runs it (a child JVM, embedded mode, so Debezium's
 * JMX metrics are in its JVM) with a sample every second; rows inserted move the series. Then
 * {@code /observe/metrics} has every series with real values, every metric the Grafana dashboard
 * (docs/grafana-dashboard.json) asks for is exported, and a real headless Chromium shows the five
 * charts drawn from non-empty series, a new insert reaching the events chart over the page's event
 * stream; the screenshot is docs/charts.png.
 */
class ChartsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path SCREENSHOT = Path.of("docs", "charts.png");
    private static final String TOPIC = EmbeddedApp.TOPIC;

    private EmbeddedApp app;
    private Chromium browser;

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.apiPort
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private double metric(String name, String... labels) throws Exception {
        Double v = GrafanaDashboard.value(metrics(), name, labels);
        return v == null ? Double.NaN : v;
    }

    @Test
    void shouldChartTheLastHourOnThePageAndExportWhatTheDashboardReads() throws Exception {
        app = new EmbeddedApp("charts");
        app.settings.add("-Dcdc.live.charts.sample.ms=1000");
        app.start(Duration.ofMinutes(5));

        // inserts in three bursts, each printed before the next: events/s and the lag move, the slot's WAL grows
        String printed = "cdc_printed_events_total";
        String topicLabel = "topic=\"" + TOPIC + "\"";
        for (int burst = 0; burst < 3; burst++) {
            int from = 10_000 + burst * 2_000;
            app.sql("INSERT INTO debezium.product SELECT g, 'chart row ' || g FROM generate_series(" + from + ", "
                    + (from + 1_999) + ") g");
            int expected = (burst + 1) * 2_000;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(printed, topicLabel) >= expected);
        }

        // /observe/metrics: every series, with real values
        String text = metrics();
        double events = GrafanaDashboard.value(text, printed, topicLabel);
        assertThat(events).as(printed).isGreaterThanOrEqualTo(6_000);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> metric("cdc_debezium_milliseconds_behind_source") >= 0);
        double behind = metric("cdc_debezium_milliseconds_behind_source");
        double wal = metric("cdc_slot_retained_wal_bytes");
        assertThat(wal).as("retained WAL").isGreaterThan(0);
        double snapshotRows = metric("cdc_snapshot_rows", "table=\"debezium.product\"");
        assertThat(snapshotRows).as("the demo table's snapshot rows").isGreaterThan(0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> !Double.isNaN(metric("cdc_consumer_lag_records", topicLabel)));
        double lag = metric("cdc_consumer_lag_records", topicLabel);
        assertThat(lag).as("lag of a partition").isBetween(0.0, 6_000.0);
        assertThat(metric("cdc_charts_read_failures_total", "series=\"lag\"")).as("no lag read failed").isZero();

        // the dashboard reads only what the app exports
        text = metrics();
        Set<String> exported = GrafanaDashboard.exported(text);
        GrafanaDashboard dashboard = GrafanaDashboard.read();
        Map<String, Set<String>> missing = new TreeMap<>();
        dashboard.expressions().forEach((panel, exprs) -> exprs.forEach(e -> GrafanaDashboard.metricNames(e).forEach(n -> {
            if (!exported.contains(n)) {
                missing.computeIfAbsent(panel, p -> new TreeSet<>()).add(n);
            }
        })));
        dashboard.variableMetrics().stream().filter(n -> !exported.contains(n))
                .forEach(n -> missing.computeIfAbsent("(variables)", p -> new TreeSet<>()).add(n));
        assertThat(missing).as("metrics the dashboard's panels ask for that /observe/metrics does not export").isEmpty();

        // the page, opened from the banner's link
        String token = Files.readString(app.stackDir().resolve("api-token")).trim();
        browser = Chromium.start(app.dir.resolve("chromium"), 1400, 900);
        Chromium.Tab tab = browser.open("http://127.0.0.1:" + app.apiPort + "/?token=" + token);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "live".equals(tab.eval("(document.getElementById('conn') || {}).textContent").asText()));
        String shown = "(() => { const d = window.cdcCharts.data; const ok = n => (d.series[n] || []).filter(v => v != null);"
                + " const ev = Object.keys(d.series).filter(n => n.startsWith('events '));"
                + " return { canvases: document.querySelectorAll('#charts .chart canvas').length, times: d.times.length,"
                + " capacity: d.capacity, eventSeries: ev, eventsMax: Math.max(0, ...ev.flatMap(ok)),"
                + " lag: ok('lag').length, behind: ok('behind').length, wal: Math.max(0, ...ok('wal')),"
                + " snapshot: Math.max(0, ...ok('snapshot')), errors: d.errors, notes: d.notes,"
                + " failed: Object.keys(d.series).filter(n => n.startsWith('failed ')),"
                + " drawn: Object.keys(window.cdcCharts.plots).sort().join(',') }; })()";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> tab.eval(shown).path("canvases").asInt() >= 5);
        JsonNode page = tab.eval(shown);
        assertThat(page.path("drawn").asText()).isEqualTo("behind,events,lag,snapshot,wal");
        assertThat(page.path("capacity").asInt()).as("an hour at 1 s").isEqualTo(3_600);
        assertThat(page.path("eventSeries").toString()).contains("events " + TOPIC);
        assertThat(page.path("eventsMax").asDouble()).as("printed events/s at some sample").isGreaterThan(0);
        assertThat(page.path("lag").asInt()).isGreaterThan(0);
        assertThat(page.path("behind").asInt()).isGreaterThan(0);
        assertThat(page.path("wal").asDouble()).isGreaterThan(0);
        assertThat(page.path("snapshot").asDouble()).isGreaterThan(0);
        assertThat(page.path("errors").size()).as(page.path("errors").toString()).isZero();
        assertThat(page.path("failed").size()).as("no sample marked failed since the start: " + page.path("failed")).isZero();

        // a new insert reaches the events chart over the event stream, appended to what the page has
        int before = page.path("times").asInt();
        app.sql("INSERT INTO debezium.product SELECT g, 'while watched ' || g FROM generate_series(20000, 20999) g");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> tab.eval(
                "(() => { const s = window.cdcCharts.data.series['events " + TOPIC + "']; const t = window.cdcCharts.data.times;"
                        + " return t.length > " + before + " && s.slice(-Math.min(s.length, t.length - " + before + "))"
                        + ".some(v => v > 0); })()").asBoolean());
        assertThat(tab.eval("document.querySelector('#chart-events .u-legend, #chart-events h3').textContent").asText())
                .isNotBlank();

        tab.screenshot(SCREENSHOT);
        byte[] png = Files.readAllBytes(SCREENSHOT);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        assertThat(png.length).isGreaterThan(20_000);
        JsonNode last = tab.eval(shown);

        // a series that cannot be read: PostgreSQL refuses the app's new logins for a while (its slot reading
        // logs in each time): a gap shaded red on the WAL chart, the reason under it, one WARN line, a count
        String walBox = "document.getElementById('chart-wal')";
        try (java.sql.Connection held = io.cdccamel.testing.Superuser.connect(app.postgresPort, app.stackDir());
             java.sql.Statement sql = held.createStatement()) {
            sql.execute("ALTER ROLE postgres NOLOGIN");
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> tab.eval(walBox + ".dataset.error").asText().equals("true"));
                assertThat(tab.eval(walBox + ".querySelector('.chart-note').textContent").asText())
                        .startsWith("not read: ").contains("(a gap on the chart)");
                assertThat(metric("cdc_charts_read_failures_total", "series=\"wal\"")).isGreaterThan(0);
            } finally {
                sql.execute("ALTER ROLE postgres LOGIN");
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> tab.eval(walBox + ".dataset.error").asText().equals("false"));
        assertThat(tab.eval(walBox + ".dataset.failedSamples").asInt()).as("the failed samples stay marked").isGreaterThan(0);
        assertThat(tab.eval("(() => { const s = window.cdcCharts.data.series; return s['failed wal'].some((f, i) => f != null"
                + " && s.wal[i] == null); })()").asBoolean()).as("a gap, not a made-up value, where it failed").isTrue();
        tab.screenshot(Path.of("target", "charts-gap.png"));
        assertThat(Files.readString(app.console(1)).lines().filter(l -> l.contains(" WARN ")
                && l.contains("Chart series wal could not be read")).count()).as("one WARN line when it starts failing").isOne();
        System.out.printf("CHARTS FIGURES: %d samples on the page (capacity %d), printed %,.0f entries of %s, peak %.0f "
                        + "events/s charted; lag %.0f records; Debezium %.0f ms behind; retained WAL %,.0f bytes; snapshot rows %.0f; "
                        + "screenshot %s (%,d bytes)%n", last.path("times").asInt(), last.path("capacity").asInt(), events, TOPIC,
                last.path("eventsMax").asDouble(), lag, behind, wal, snapshotRows, SCREENSHOT, png.length);
    }
}
