package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Search over the printed history on the real embedded stack: 100,000 events printed across three
 * tables, then one order's history (insert, updates, delete, tombstone) found through
 * {@code GET /api/events} in under a second, paged, and the same on the live page in a real
 * headless Chromium, whose screenshot is {@code docs/search.png}.
 */
@ExtendWith(EmbeddedStackExtension.class)
class SearchIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SCHEMA = "it_search";
    private static final Path SCREENSHOT = Path.of("docs", "search.png");
    /** A note holding what breaks naive pages and parsers: quotes, a newline, markup, NEL, an astral character. */
    private static final String HOSTILE = "it's \"quoted\"\n<b>bold</b> & \u0085 \uD83D\uDE00";

    @TempDir
    Path workDir;

    private TestApp app;
    private Chromium browser;

    @AfterEach
    void closeEverything() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (app != null) {
            app.closeAndRemoveConnector();
        }
    }

    private HttpResponse<String> get(String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/api/events?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode events(String query) throws Exception {
        HttpResponse<String> r = get(query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> ops(JsonNode page) {
        List<String> ops = new ArrayList<>();
        page.path("events").forEach(e -> ops.add(e.path("op").asText()));
        return ops;
    }

    @Test
    void shouldFindOneKeysHistoryAmong100000PrintedEventsInUnderASecondByApiAndOnThePage() throws Exception {
        Db.createProductTable(SCHEMA);
        Db.exec("CREATE TABLE " + SCHEMA + ".orders (id int PRIMARY KEY, amount numeric(12,2), note text)",
                "ALTER TABLE " + SCHEMA + ".orders REPLICA IDENTITY FULL",
                "CREATE TABLE " + SCHEMA + ".lines (order_id int, line int, qty int, PRIMARY KEY (order_id, line))",
                "ALTER TABLE " + SCHEMA + ".lines REPLICA IDENTITY FULL",
                "GRANT SELECT ON ALL TABLES IN SCHEMA " + SCHEMA + " TO cdc_connector");
        app = TestApp.start(SCHEMA, "search_connector", "search", workDir, false,
                Map.of("cdc.topics", "postgres\\." + SCHEMA + "\\..+"));
        await().atMost(Duration.ofSeconds(120)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        // 100,000 printed entries: 40,000 + 10,000 + 2 updates + delete + tombstone of orders, 30,000 lines, 19,996 products
        Db.exec("INSERT INTO " + SCHEMA + ".orders SELECT g, g * 1.25, 'order ' || g FROM generate_series(1, 40000) g",
                "UPDATE " + SCHEMA + ".orders SET amount = amount + 0.01 WHERE id <= 10000",
                "INSERT INTO " + SCHEMA + ".lines SELECT g / 3, g % 3, g FROM generate_series(3, 30002) g",
                "INSERT INTO " + SCHEMA + ".product SELECT g, 'product ' || g FROM generate_series(1, 19996) g");
        Db.exec("UPDATE " + SCHEMA + ".orders SET amount = 12345678.90 WHERE id = 4711");
        Db.exec("UPDATE " + SCHEMA + ".orders SET note = '" + HOSTILE.replace("'", "''") + "' WHERE id = 4711");
        Db.exec("DELETE FROM " + SCHEMA + ".orders WHERE id = 4711");
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(600)).pollInterval(Duration.ofSeconds(1))
                .until(() -> events("limit=1").path("indexed").asLong() >= 100_000);
        System.out.printf("SearchIT: 100,000 events printed and indexed %.1f s after the last statement%n",
                (System.nanoTime() - started) / 1e9);
        assertThat(events("limit=1").path("indexed").asLong()).isEqualTo(100_000);

        // one key's whole history, newest first: the warm-up asks for another key
        events("key=17");
        long asked = System.nanoTime();
        HttpResponse<String> answer = get("table=" + SCHEMA + ".orders&key=4711");
        long apiMillis = (System.nanoTime() - asked) / 1_000_000;
        System.out.printf("SearchIT: GET /api/events?table=%s.orders&key=4711 answered in %d ms (index: %s ms)%n",
                SCHEMA, apiMillis, MAPPER.readTree(answer.body()).path("tookMillis").asText());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(apiMillis).isLessThan(1_000);
        JsonNode history = MAPPER.readTree(answer.body());
        assertThat(ops(history)).containsExactly("tombstone", "d", "u", "u", "u", "c");
        assertThat(history.path("next").isNull()).isTrue();
        JsonNode noteUpdate = history.path("events").get(2);
        assertThat(noteUpdate.path("changed")).extracting(JsonNode::asText).containsExactly("note");
        assertThat(noteUpdate.path("envelope").path("after").path("note").asText()).isEqualTo(HOSTILE);
        assertThat(noteUpdate.path("key").path("id").asInt()).isEqualTo(4711);
        JsonNode amountUpdate = history.path("events").get(3);
        assertThat(amountUpdate.path("changed")).extracting(JsonNode::asText).containsExactly("amount");
        assertThat(amountUpdate.path("columns").findValuesAsText("after")).contains("\"12345678.90\"");
        assertThat(amountUpdate.path("topic").asText()).isEqualTo("postgres." + SCHEMA + ".orders");
        assertThat(amountUpdate.path("printed").asText()).contains("\"amount\": \"12345678.90\"");
        // the same through the key's JSON, and only deletes; without a table, product 4711 (inserted last) is found too
        assertThat(ops(events("table=" + SCHEMA + ".orders&key=" + enc("{\"id\":4711}"))))
                .containsExactly("tombstone", "d", "u", "u", "u", "c");
        JsonNode everyTable = events("key=" + enc("{\"id\":4711}"));
        List<String> tables = new ArrayList<>();
        everyTable.path("events").forEach(e -> tables.add(e.path("table").asText()));
        // across tables, newest first is the order the indexer read them in (docs/search.md): product 4711's
        // insert is found once, anywhere among orders 4711's, whose own order is the commits'
        assertThat(tables).containsExactlyInAnyOrder(SCHEMA + ".orders", SCHEMA + ".orders",
                SCHEMA + ".orders", SCHEMA + ".orders", SCHEMA + ".product", SCHEMA + ".orders", SCHEMA + ".orders");
        List<String> orderOps = new ArrayList<>();
        everyTable.path("events").forEach(e -> {
            if (e.path("table").asText().equals(SCHEMA + ".orders")) {
                orderOps.add(e.path("op").asText());
            }
        });
        assertThat(orderOps).containsExactly("tombstone", "d", "u", "u", "u", "c");
        assertThat(ops(events("table=" + SCHEMA + ".orders&key=4711&op=d"))).containsExactly("d");
        // a two-column key
        assertThat(events("key=" + enc("{\"order_id\":5,\"line\":1}")).path("events")).hasSize(1);
        // pages: newest first, no entry twice
        JsonNode first = events("table=" + SCHEMA + ".lines&limit=500");
        JsonNode second = events("table=" + SCHEMA + ".lines&limit=500&before=" + enc(first.path("next").asText()));
        Set<String> seen = new HashSet<>();
        first.path("events").forEach(e -> seen.add(e.path("partition").asText() + "/" + e.path("offset").asText()));
        second.path("events").forEach(e -> seen.add(e.path("partition").asText() + "/" + e.path("offset").asText()));
        assertThat(seen).hasSize(1000);
        // bad parameters: 400 with the reason
        HttpResponse<String> bad = get("op=x");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("op \\\"x\\\" is not one of");
        assertThat(get("from=yesterday").statusCode()).isEqualTo(400);
        assertThat(get("limit=501").statusCode()).isEqualTo(400);

        // the same on the page, as a user opens it
        browser = Chromium.start(workDir.resolve("chromium"), 1400, 1300);
        Chromium.Tab tab = browser.open(app.apiLink());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> tab.eval("(document.getElementById('search-status') || {}).textContent").asText().contains("events indexed"));
        tab.eval("(() => { const f = document.getElementById('search-form'); f.elements.table.value = '" + SCHEMA + ".orders'; "
                + "f.elements.key.value = '4711'; })()");
        long clicked = System.nanoTime();
        tab.eval("document.getElementById('search-go').click()");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> tab.eval("document.querySelectorAll('#search-results tr.hit').length").asInt() == 6);
        long pageMillis = (System.nanoTime() - clicked) / 1_000_000;
        System.out.printf("SearchIT: the page showed order 4711's 6 events %d ms after the click%n", pageMillis);
        assertThat(pageMillis).isLessThan(1_000);
        assertThat(tab.eval("[...document.querySelectorAll('#search-results tr.hit .op')].map(s => s.textContent).join(',')")
                .asText()).isEqualTo("tombstone,d,u,u,u,c");
        tab.eval("document.querySelectorAll('#search-results tr.hit')[2].click()");
        JsonNode shown = tab.eval("(() => { const rows = [...document.querySelectorAll('#search-event .search-cols tbody tr')]; "
                + "return {changed: rows.filter(r => r.classList.contains('changed')).map(r => r.querySelector('.name').textContent), "
                + "note: rows.map(r => r.querySelector('.after').textContent).find(t => t.includes('quoted')), "
                + "bold: document.querySelectorAll('#search-event b').length}; })()");
        assertThat(shown.path("changed")).extracting(JsonNode::asText).containsExactly("note \u25cf");
        assertThat(shown.path("note").asText()).isEqualTo(MAPPER.writeValueAsString(HOSTILE));
        assertThat(shown.path("bold").asInt()).as("markup in a value is text, not markup").isZero();
        tab.eval("document.getElementById('search').scrollIntoView()");
        tab.screenshot(SCREENSHOT);
        byte[] png = Files.readAllBytes(SCREENSHOT);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
