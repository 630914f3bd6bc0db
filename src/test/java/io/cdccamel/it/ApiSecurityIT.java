package io.cdccamel.it;

import com.sun.net.httpserver.HttpServer;
import io.cdccamel.connect.ConnectorRegistration;
import org.apache.camel.Route;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Loopback is not access control: a page of another origin, opened in a real headless Chromium,
 * sends the GET of the dev console's route action and an auto-submitted form POST to the broker
 * API; both reach the app and are refused, every route runs on and every broker stays up. The same
 * calls with the token of this start (as curl sends them) work; the app's own {@code Origin} without
 * the token is refused (issue 32); the app's own page acts only once opened from the banner's link
 * (the token then in an {@code HttpOnly} cookie, out of the address bar), and a foreign {@code Host}
 * (DNS rebinding) is refused for reads too.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ApiSecurityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path workDir;

    private TestApp app;
    private Chromium browser;
    private HttpServer otherSite;
    private Integer stoppedBroker;

    @AfterEach
    void closeEverything() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (otherSite != null) {
            otherSite.stop(0);
        }
        if (stoppedBroker != null) {
            EmbeddedStackExtension.stack().kafka().startBroker(stoppedBroker);
        }
        if (app != null) {
            app.closeAndRemoveConnector();
        }
    }

    /** A second local HTTP server: another origin (another port), serving {@code html} at {@code /}. */
    private String serveOtherSite(String html) throws Exception {
        otherSite = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otherSite.createContext("/", exchange -> {
            byte[] body = html.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        otherSite.start();
        return "http://localhost:" + otherSite.getAddress().getPort() + "/";
    }

    private long startedRoutes() {
        return app.camel().getRoutes().stream().map(Route::getRouteId)
                .filter(id -> app.camel().getRouteController().getRouteStatus(id).isStarted()).count();
    }

    private static int brokersUp() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedStackExtension.stack().kafka().bootstrapServers()))) {
            return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
        }
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return call(app.apiUrl(), method, path, token);
    }

    private static HttpResponse<String> call(String base, String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A raw HTTP/1.1 request with the {@code Host} given (java.net.http will not send a foreign one). */
    private int statusWithHost(String path, String host) throws Exception {
        int port = Integer.parseInt(app.apiUrl().substring(app.apiUrl().lastIndexOf(':') + 1));
        return statusWithHost(port, "GET", path, host);
    }

    private static int statusWithHost(int port, String method, String path, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                head.write(b);
            }
            String statusLine = head.toString(StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void shouldRefuseStateChangesFromAnotherSiteAndTakeThemWithTheToken() throws Exception {
        Db.createProductTable("it_sec", "(1, 'first row')");
        app = TestApp.start("it_sec", "sec_connector", "sec", workDir, true);
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        long routes = startedRoutes();
        assertThat(routes).isGreaterThanOrEqualTo(5);
        assertThat(brokersUp()).isEqualTo(3);
        assertThat(Files.readString(workDir.resolve("sec").resolve("api-token")).trim()).isEqualTo(app.apiToken());

        // the attacks: an <img> GET of the route action, an auto-submitted form POST, a no-cors fetch POST
        String api = app.apiUrl();
        String page = otherSite(api);
        long refusedBefore = app.apiRefusals();
        browser = Chromium.start(workDir.resolve("chromium"), 800, 600);
        Chromium.Tab tab = browser.open(page);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> app.apiRefusals() - refusedBefore >= 4);
        assertThat(tab.eval("location.href").asText()).startsWith("http://localhost:");
        assertThat(startedRoutes()).as("every route still runs").isEqualTo(routes);
        assertThat(brokersUp()).as("every broker is still up").isEqualTo(3);
        assertThat(EmbeddedStackExtension.stack().kafka().startBroker(0)).as("broker 0 was running").isFalse();
        assertThat(EmbeddedStackExtension.stack().kafka().startBroker(1)).as("broker 1 was running").isFalse();

        // curl without the token, with a wrong one, and a GET of the action even with it: refused
        assertThat(call("POST", "/api/brokers/0/stop", null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/brokers/0/stop", "not-the-token").statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/brokers/0/stop", app.apiToken()).statusCode()).isEqualTo(405);
        assertThat(call("GET", "/q/dev/route?action=stop", app.apiToken()).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/q/dev/send", app.apiToken()).statusCode()).isEqualTo(403);
        assertThat(startedRoutes()).isEqualTo(routes);
        // the read-only consoles stay; the acting ones are not even listed
        HttpResponse<String> consoles = call("GET", "/q/dev", null);
        assertThat(consoles.statusCode()).isEqualTo(200);
        assertThat(call("GET", "/q/dev/route", null).statusCode()).isEqualTo(200);
        org.apache.camel.console.DevConsoleRegistry registry = app.camel().getCamelContextExtension()
                .getContextPlugin(org.apache.camel.console.DevConsoleRegistry.class);
        assertThat(registry.getConsole("route")).isPresent();
        for (String acting : io.cdccamel.api.RequestGuard.ACTING_CONSOLES) {
            assertThat(registry.getConsole(acting)).as(acting).isEmpty();
        }

        // issue 32: the app's own Origin, written by any local process, is no key
        int apiPort = Integer.parseInt(api.substring(api.lastIndexOf(':') + 1));
        for (String origin : new String[] {api, "http://localhost:" + apiPort}) {
            HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/brokers/0/stop"))
                    .header("Origin", origin).header("Sec-Fetch-Site", "same-origin")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).as(origin + ": " + forged.body()).isEqualTo(403);
        }
        assertThat(brokersUp()).as("every broker is still up").isEqualTo(3);

        // the app's own page opened without the link: read-only, says how to get the link, its POST refused
        Chromium.Tab plain = browser.open(api + "/");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> plain.eval("(document.getElementById('access') || {}).textContent || ''").asText().contains("?token="));
        assertThat(plain.eval("fetch('/api/brokers/7/stop', {method: 'POST'}).then(r => r.status)").asInt()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> plain.eval("document.querySelectorAll('.broker button').length").asInt() == 3);
        assertThat(plain.eval("[...document.querySelectorAll('.broker button')].every(b => b.disabled)").asBoolean())
                .as("the broker buttons are off").isTrue();
        assertThat(plain.eval("fetch('/live/access').then(r => r.json()).then(a => a.acts)").asBoolean()).isFalse();
        // a link with a wrong token is refused
        assertThat(plain.eval("fetch('/?token=not-the-token').then(r => r.status)").asInt()).isEqualTo(403);

        // opened from the banner's link (as the console prints it): the token becomes an HttpOnly cookie and
        // leaves the address bar; the page acts (broker 7 does not exist, so 404 from the route, not 403)
        String link = app.apiLink();
        assertThat(link).isEqualTo(api + "/?token=" + app.apiToken());
        Chromium.Tab own = browser.open(link);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "complete".equals(own.eval("document.readyState").asText())
                        && (api + "/").equals(own.eval("location.href").asText()));
        assertThat(own.eval("document.cookie").asText()).as("HttpOnly: no script reads it").doesNotContain(app.apiToken());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> own.eval("fetch('/live/access').then(r => r.json()).then(a => a.acts)").asBoolean());
        assertThat(own.eval("fetch('/api/brokers/7/stop', {method: 'POST'}).then(r => r.status)").asInt()).isEqualTo(404);
        assertThat(own.eval("(document.getElementById('access') || {}).textContent || ''").asText()).isEmpty();
        // the cookie is SameSite=Strict and checked with the Origin: the other site's page still cannot act
        long refusedBeforeCookie = app.apiRefusals();
        Chromium.Tab again = browser.open(page);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> app.apiRefusals() - refusedBeforeCookie >= 4);
        assertThat(again.eval("location.href").asText()).startsWith("http://localhost:");
        assertThat(brokersUp()).as("every broker is still up").isEqualTo(3);

        // with the token, as the docs' curl line: the broker stops and starts
        HttpResponse<String> stop = call("POST", "/api/brokers/0/stop", app.apiToken());
        stoppedBroker = 0;
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
        assertThat(stop.body()).contains("\"stopped\"").contains("\"changed\" : true");
        HttpResponse<String> start = call("POST", "/api/brokers/0/start", app.apiToken());
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        stoppedBroker = null;
        assertThat(start.body()).contains("\"running\"");

        // DNS rebinding: a foreign Host is refused, for reads too; the app's own names pass
        int port = Integer.parseInt(api.substring(api.lastIndexOf(':') + 1));
        assertThat(statusWithHost("/live/state", "rebind.example:" + port)).isEqualTo(403);
        assertThat(statusWithHost("/api/topics", "rebind.example:" + port)).isEqualTo(403);
        assertThat(statusWithHost("/q/dev/properties", "rebind.example:" + port)).isEqualTo(403);
        assertThat(statusWithHost(io.cdccamel.api.ApiRestRoutes.OPENAPI, "rebind.example:" + port)).isEqualTo(403);
        // the API's OpenAPI document, behind the same guard, names the paths the app serves
        HttpResponse<String> openApi = call("GET", io.cdccamel.api.ApiRestRoutes.OPENAPI, null);
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(openApi.body()).contains("\"/api/topics/{name}\"").contains("\"/api/brokers/{id}/{action}\"")
                .contains("\"/api/connector\"");
        assertThat(statusWithHost("/live/state", "localhost:" + port)).isEqualTo(200);
        assertThat(statusWithHost("/live/state", "127.0.0.1:" + port)).isEqualTo(200);
    }

    /** Issue 32: Kafka Connect's REST port has the API's two locks, and the app's own calls still pass them. */
    @Test
    void shouldGuardConnectsRestPortAndLetTheAppsRegistrationThrough() throws Exception {
        Db.createProductTable("it_sec_connect", "(1, 'first row')");
        app = TestApp.start("it_sec_connect", "sec_connect_connector", "sec-connect", workDir, false,
                Map.of("cdc.api.probe-hosts", "prometheus.example"));
        // registered through the guarded worker, with the token the app was given
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        // a scraper's and a probe's Host opens their three paths, nothing else
        int apiPort = Integer.parseInt(app.apiUrl().substring(app.apiUrl().lastIndexOf(':') + 1));
        String scraper = "prometheus.example:" + apiPort;
        assertThat(statusWithHost(apiPort, "GET", "/observe/metrics", scraper)).isEqualTo(200);
        assertThat(statusWithHost(apiPort, "GET", "/observe/health/live", scraper)).isEqualTo(200);
        assertThat(statusWithHost(apiPort, "GET", "/observe/health/ready", scraper)).isIn(200, 503);
        assertThat(statusWithHost(apiPort, "GET", "/observe/health", scraper)).isEqualTo(403);
        assertThat(statusWithHost(apiPort, "GET", "/live/state", scraper)).isEqualTo(403);
        assertThat(statusWithHost(apiPort, "GET", "/api/topics", scraper)).isEqualTo(403);
        assertThat(statusWithHost(apiPort, "POST", "/api/brokers/0/stop", scraper)).isEqualTo(403);
        assertThat(statusWithHost(apiPort, "GET", "/observe/metrics", "other.example:" + apiPort)).isEqualTo(403);
        String connect = EmbeddedStackExtension.stack().connect().url();
        int port = EmbeddedStackExtension.stack().connect().port();
        String status = "/connectors/sec_connect_connector/status";
        long refusedBefore = io.cdccamel.stack.ConnectRestGuard.REFUSED.get();

        // DNS rebinding: a foreign Host is refused, for reads and for a pause
        assertThat(statusWithHost(port, "GET", "/connectors", "evil.example:" + port)).isEqualTo(403);
        assertThat(statusWithHost(port, "PUT", "/connectors/sec_connect_connector/pause", "evil.example:" + port))
                .isEqualTo(403);
        // loopback reads need no token (kcctl, the docs' curl lines)
        assertThat(call(connect, "GET", "/connectors", null).statusCode()).isEqualTo(200);
        assertThat(statusWithHost(port, "GET", "/connectors", "localhost:" + port)).isEqualTo(200);
        // state changes without the token, or with a wrong one, are refused: pause, offsets, a new connector, delete
        assertThat(call(connect, "PUT", "/connectors/sec_connect_connector/pause", null).statusCode()).isEqualTo(403);
        assertThat(call(connect, "PUT", "/connectors/sec_connect_connector/pause", "wrong-token").statusCode())
                .isEqualTo(401);
        assertThat(call(connect, "PATCH", "/connectors/sec_connect_connector/offsets", null).statusCode()).isEqualTo(403);
        assertThat(call(connect, "POST", "/connectors/sec_connect_connector/restart", null).statusCode()).isEqualTo(403);
        assertThat(call(connect, "DELETE", "/connectors/sec_connect_connector", null).statusCode()).isEqualTo(403);
        assertThat(call(connect, "POST", "/connectors", null).statusCode()).isEqualTo(403);
        assertThat(io.cdccamel.stack.ConnectRestGuard.REFUSED.get() - refusedBefore).isGreaterThanOrEqualTo(8);
        HttpResponse<String> after = call(connect, "GET", status, null);
        assertThat(after.body()).contains("\"state\":\"RUNNING\"").doesNotContain("PAUSED");

        // with the token (data/secrets/connect-token), as the docs' curl line: the pause is taken
        String token = EmbeddedStackExtension.stack().connect().token();
        assertThat(call(connect, "PUT", "/connectors/sec_connect_connector/pause", token).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> call(connect, "GET", status, null).body().contains("PAUSED"));
        assertThat(call(connect, "PUT", "/connectors/sec_connect_connector/resume", token).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !call(connect, "GET", status, null).body().contains("PAUSED"));
    }

    /** The other site's page: the cross-site requests, all sent on load. */
    private String otherSite(String api) throws Exception {
        return serveOtherSite("<!doctype html><html><body>"
                + "<img src=\"" + api + "/q/dev/route?action=stop\">"
                + "<img src=\"" + api + "/q/dev/route-group?action=stop\">"
                + "<iframe name=\"sink\"></iframe>"
                + "<form id=\"f\" method=\"POST\" target=\"sink\" action=\"" + api + "/api/brokers/0/stop\">"
                + "<input name=\"x\" value=\"1\"></form>"
                + "<script>document.getElementById('f').submit();"
                + "fetch('" + api + "/api/brokers/1/stop', {method: 'POST', mode: 'no-cors'}).catch(() => {});</script>"
                + "</body></html>");
    }
}
