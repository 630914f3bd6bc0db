package io.cdccamel.api;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RequestGuardTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String HOST = "127.0.0.1:8090";
    private final RequestGuard guard = new RequestGuard(RequestGuard.allowedHosts("127.0.0.1", 8090, List.of()), TOKEN, false, Set.of(), 8090);
    private final RequestGuard withActions = new RequestGuard(RequestGuard.allowedHosts("127.0.0.1", 8090, List.of()), TOKEN, true, Set.of(), 8090);

    private static RequestGuard.Verdict post(RequestGuard g, String path, String origin, String fetchSite, String auth) {
        return post(g, path, origin, fetchSite, auth, null);
    }

    private static RequestGuard.Verdict post(RequestGuard g, String path, String origin, String fetchSite, String auth,
                                             String cookie) {
        return g.decide(HttpMethod.POST, path, Set.of(), HOST, origin, fetchSite, auth, cookie);
    }

    @Test
    void shouldAcceptTheNamesOfTheLoopbackAddressWithItsPortOnly() {
        assertThat(RequestGuard.allowedHosts("127.0.0.1", 8090, List.of()))
                .containsExactlyInAnyOrder("localhost:8090", "127.0.0.1:8090", "[::1]:8090");
        for (String host : List.of("localhost:8090", "127.0.0.1:8090", "[::1]:8090", "LOCALHOST:8090")) {
            assertThat(guard.decide(HttpMethod.GET, "/live/events", Set.of(), host, null, null, null, null).passes())
                    .as(host).isTrue();
        }
        for (String host : List.of("evil.example:8090", "127.0.0.1", "localhost:8091", "127.0.0.1.nip.io:8090")) {
            RequestGuard.Verdict v = guard.decide(HttpMethod.GET, "/api/topics", Set.of(), host, null, null, null, null);
            assertThat(v.status()).as(host).isEqualTo(403);
        }
        assertThat(guard.decide(HttpMethod.GET, "/", Set.of(), null, null, null, null, null).status()).isEqualTo(403);
    }

    @Test
    void shouldAddTheConfiguredHostAndExtraNames() {
        assertThat(RequestGuard.allowedHosts("cdc.lan", 80, List.of("proxy.lan", " ")))
                .contains("cdc.lan:80", "proxy.lan:80").hasSize(5);
        assertThat(RequestGuard.allowedHosts("0.0.0.0", 8090, List.of())).hasSize(3);
        RequestGuard onPort80 = new RequestGuard(RequestGuard.allowedHosts("127.0.0.1", 80, List.of()), TOKEN, false, Set.of(), 80);
        assertThat(onPort80.decide(HttpMethod.GET, "/", Set.of(), "localhost", null, null, null, null).passes()).isTrue();
    }

    @Test
    void shouldLetTheAppsOwnPageChangeThingsWithItsCookieOnly() {
        assertThat(post(guard, "/api/brokers/0/stop", "http://127.0.0.1:8090", "same-origin", null, TOKEN).passes()).isTrue();
        assertThat(post(guard, "/api/brokers/0/stop", "http://localhost:8090", null, null, TOKEN).passes()).isTrue();
        assertThat(post(guard, "/api/brokers/0/stop", null, "same-origin", null, TOKEN).passes()).isTrue();
        // issue 32: the app's own Origin without the token is any local process's word
        RequestGuard.Verdict forged = post(guard, "/api/brokers/0/stop", "http://127.0.0.1:8090", "same-origin", null);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.reason()).contains("?token=");
        assertThat(post(guard, "/api/brokers/0/stop", "http://127.0.0.1:8090", null, null, "wrong").status()).isEqualTo(401);
        // the cookie from another site's page (same site, another port): CSRF defence on top
        assertThat(post(guard, "/api/brokers/0/stop", "http://127.0.0.1:9999", "same-site", null, TOKEN).status())
                .isEqualTo(403);
        assertThat(post(guard, "/api/brokers/0/stop", null, null, null, TOKEN).status()).isEqualTo(403);
    }

    @Test
    void shouldReadThePagesCookieOfItsOwnPortOnly() {
        assertThat(guard.cookieToken(List.of("a=1; cdc-camel-token-8090=" + TOKEN + "; b=2"))).isEqualTo(TOKEN);
        assertThat(guard.cookieToken(List.of("cdc-camel-token-8091=" + TOKEN))).isNull();
        assertThat(guard.cookieToken(List.of())).isNull();
    }

    @Test
    void shouldOpenTheProbesPathsOnlyToTheProbeHosts() {
        RequestGuard probes = new RequestGuard(RequestGuard.allowedHosts("0.0.0.0", 8090, List.of()), TOKEN, false,
                RequestGuard.probeHosts(List.of("10.0.0.5", "prom.lan:9999"), 8090), 8090);
        for (String path : RequestGuard.PROBE_PATHS) {
            assertThat(probes.decide(HttpMethod.GET, path, Set.of(), "10.0.0.5:8090", null, null, null, null).passes())
                    .as(path).isTrue();
            assertThat(probes.decide(HttpMethod.GET, path, Set.of(), "prom.lan:9999", null, null, null, null).passes())
                    .as(path).isTrue();
            assertThat(guard.decide(HttpMethod.GET, path, Set.of(), "10.0.0.5:8090", null, null, null, null).status())
                    .as(path).isEqualTo(403);
        }
        // nothing else opens to those names: not the data, not a state change, not the health's details
        for (String path : List.of("/observe/health", "/live/events", "/api/topics", "/", "/q/dev")) {
            assertThat(probes.decide(HttpMethod.GET, path, Set.of(), "10.0.0.5:8090", null, null, null, null).status())
                    .as(path).isEqualTo(403);
        }
        assertThat(probes.decide(HttpMethod.POST, "/observe/metrics", Set.of(), "10.0.0.5:8090", null, null,
                "Bearer " + TOKEN, null).status()).isEqualTo(403);
        RequestGuard any = new RequestGuard(RequestGuard.allowedHosts("0.0.0.0", 8090, List.of()), TOKEN, false,
                RequestGuard.probeHosts(List.of("*"), 8090), 8090);
        assertThat(any.decide(HttpMethod.GET, "/observe/health/ready", Set.of(), "pod-ip:8090", null, null, null, null)
                .passes()).isTrue();
        assertThat(any.decide(HttpMethod.GET, "/api/topics", Set.of(), "pod-ip:8090", null, null, null, null)
                .status()).isEqualTo(403);
    }

    @Test
    void shouldRefuseAStateChangeFromAnotherSite() {
        // an auto-submitted form: Origin of the other site, Sec-Fetch-Site cross-site or same-site
        assertThat(post(guard, "/api/brokers/0/stop", "http://127.0.0.1:9999", "same-site", null).status()).isEqualTo(403);
        assertThat(post(guard, "/api/brokers/0/stop", "https://evil.example", "cross-site", null).status()).isEqualTo(403);
        assertThat(post(guard, "/api/brokers/0/stop", "null", "cross-site", null).status()).isEqualTo(403);
        // an Origin of another site wins over a forged Sec-Fetch-Site
        assertThat(post(guard, "/api/brokers/0/stop", "https://evil.example", "same-origin", null).status()).isEqualTo(403);
        // neither header: not a browser's own page
        assertThat(post(guard, "/api/brokers/0/stop", null, null, null).status()).isEqualTo(403);
        assertThat(guard.decide(HttpMethod.DELETE, "/api/x", Set.of(), HOST, null, "cross-site", null, null).status()).isEqualTo(403);
    }

    @Test
    void shouldLetTheTokenChangeThings() {
        assertThat(post(guard, "/api/brokers/0/stop", null, null, "Bearer " + TOKEN).passes()).isTrue();
        assertThat(post(guard, "/api/brokers/0/stop", "https://evil.example", null, "bearer " + TOKEN).passes()).isTrue();
        assertThat(post(guard, "/api/brokers/0/stop", null, null, "Bearer " + TOKEN + "x").status()).isEqualTo(401);
        assertThat(post(guard, "/api/brokers/0/stop", "http://127.0.0.1:8090", null, "Bearer wrong").status()).isEqualTo(401);
        assertThat(post(guard, "/api/brokers/0/stop", null, null, "Basic " + TOKEN).status()).isEqualTo(401);
    }

    @Test
    void shouldKeepTheDevConsolesActionsOffAndBehindTheTokenWhenOn() {
        RequestGuard.Verdict stop = guard.decide(HttpMethod.GET, "/q/dev/route", Set.of("action"), HOST, null, null,
                "Bearer " + TOKEN, null);
        assertThat(stop.status()).isEqualTo(403);
        assertThat(stop.reason()).contains("cdc.dev-console.actions-enabled");
        for (String path : List.of("/q/dev/send", "/q/dev/receive", "/q/dev/route,send", "/q/dev/eval-language",
                "/q/dev/heap-dump", "/q/dev/trace", "/q/dev/debug", "/q/dev/sql-query", "/q/dev/reload")) {
            assertThat(guard.decide(HttpMethod.GET, path, Set.of(), HOST, null, null, null, null).status()).as(path).isEqualTo(403);
        }
        // the read-only consoles stay readable
        for (String path : List.of("/q/dev", "/q/dev/route", "/q/dev/kafka", "/q/dev/properties", "/q/dev/health")) {
            assertThat(guard.decide(HttpMethod.GET, path, Set.of("filter"), HOST, null, null, null, null).passes()).as(path).isTrue();
        }
        // turned on: with the token only, never from a browser's GET
        assertThat(withActions.decide(HttpMethod.GET, "/q/dev/route", Set.of("action"), HOST, null, null, null, null).status())
                .isEqualTo(403);
        assertThat(withActions.decide(HttpMethod.GET, "/q/dev/route", Set.of("action"), HOST, null, "same-origin", null, null)
                .status()).isEqualTo(403);
        assertThat(withActions.decide(HttpMethod.GET, "/q/dev/send", Set.of(), HOST, null, null, "Bearer " + TOKEN, null)
                .passes()).isTrue();
    }

    @Test
    void shouldNotBeBuiltWithAShortToken() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RequestGuard(Set.of(HOST), "short", false, Set.of(), 8090))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ApiSecurity.newToken()).hasSizeGreaterThanOrEqualTo(40).doesNotContain("+", "/", "=");
    }
}
