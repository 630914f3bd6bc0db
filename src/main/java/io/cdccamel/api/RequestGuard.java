package io.cdccamel.api;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first handler of every request on the API's HTTP server (the page, {@code /api/*},
 * {@code /live/*}, {@code /observe/*}, {@code /q/dev/*}). Loopback is not access control: any web
 * page the user opens can make the browser send requests to 127.0.0.1, so
 * <ul>
 *   <li>a request whose {@code Host} is not a name of the address the app listens on is refused
 *       (DNS rebinding: a page of {@code evil.example} resolved to 127.0.0.1 would otherwise read
 *       {@code /live/events} and {@code /api/*} as its own origin);</li>
 *   <li>a request that changes something (any method but GET, HEAD and OPTIONS; a dev console
 *       action) needs {@code Authorization: Bearer <token>}, or, from the browser, an
 *       {@code Origin} of the app itself (else {@code Sec-Fetch-Site: same-origin}). An auto-submitted
 *       form or an {@code <img>} of another site has neither;</li>
 *   <li>the dev console's acting consoles ({@link #ACTING_CONSOLES}, and the {@code action}
 *       parameter of the route, route-group and processor consoles) are refused unless
 *       {@code cdc.dev-console.actions-enabled=true}, and then need the token: they are GETs, which
 *       a browser sends cross-site without an Origin.</li>
 * </ul>
 */
public final class RequestGuard implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(RequestGuard.class);

    /** Runs before every route of the router, Camel's own included. */
    static final int ORDER = -1_000_000;
    static final String AUTHORIZATION = "Authorization";
    static final String ORIGIN = "Origin";
    static final String SEC_FETCH_SITE = "Sec-Fetch-Site";
    static final String BEARER = "Bearer ";
    static final String DEV_CONSOLE = "/q/dev";
    /** Query parameter with which the route, route-group and processor consoles stop, start, suspend, resume. */
    static final String ACTION_PARAMETER = "action";
    /**
     * Camel's consoles that send, receive, evaluate expressions, run SQL, dump the heap, reload
     * routes, or turn the debugger, tracer or JFR on: state changes behind a GET. The ids of Camel up
     * to 4.22; 4.18 ships a subset of them.
     */
    public static final Set<String> ACTING_CONSOLES = Set.of("send", "receive", "debug", "trace", "heap-dump",
            "jfr-memory-leak", "eval-language", "sql-query", "reload");

    /** What the guard decided, and why (the reason is the response body of a refusal). */
    record Verdict(int status, String reason) {
        static final Verdict PASS = new Verdict(0, null);

        boolean passes() {
            return status == 0;
        }
    }

    private final Set<String> hosts;
    private final Set<String> origins;
    private final byte[] token;
    private final boolean consoleActions;
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param hosts          the accepted {@code Host} values, each as {@code name:port}
     * @param token          the bearer token of this start
     * @param consoleActions {@code cdc.dev-console.actions-enabled}
     */
    public RequestGuard(Collection<String> hosts, String token, boolean consoleActions) {
        this.hosts = new LinkedHashSet<>();
        this.origins = new LinkedHashSet<>();
        for (String host : hosts) {
            String h = host.toLowerCase(Locale.ROOT);
            this.hosts.add(h);
            this.origins.add("http://" + h);
            this.origins.add("https://" + h);
            if (h.endsWith(":80")) {
                // a browser leaves the default port out of Host and Origin
                String bare = h.substring(0, h.length() - 3);
                this.hosts.add(bare);
                this.origins.add("http://" + bare);
            }
        }
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("The API token must have at least 16 characters");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.consoleActions = consoleActions;
    }

    /**
     * The names of the address the app listens on, with its port: {@code localhost},
     * {@code 127.0.0.1} and {@code [::1]}, the configured host itself, and any extra names.
     */
    public static Set<String> allowedHosts(String apiHost, int port, List<String> extraNames) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        String host = apiHost.trim().toLowerCase(Locale.ROOT);
        if (!host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
            names.add(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        }
        extraNames.stream().map(String::trim).filter(n -> !n.isEmpty()).map(n -> n.toLowerCase(Locale.ROOT))
                .forEach(names::add);
        Set<String> withPort = new LinkedHashSet<>();
        names.forEach(n -> withPort.add(n + ":" + port));
        return withPort;
    }

    /** Adds the guard in front of every route of {@code router}. */
    public void install(Router router) {
        router.route().order(ORDER).handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap headers = ctx.request().headers();
        String host = host(ctx);
        Verdict verdict = decide(ctx.request().method(), ctx.normalizedPath(), ctx.queryParams().names(),
                host, headers.get(ORIGIN), headers.get(SEC_FETCH_SITE), headers.get(AUTHORIZATION));
        if (verdict.passes()) {
            ctx.next();
            return;
        }
        refused.incrementAndGet();
        LOG.warn("Refused {} {} (Host {}, Origin {}): {}", ctx.request().method(), ctx.normalizedPath(),
                host, headers.get(ORIGIN), verdict.reason());
        ctx.response().setStatusCode(verdict.status()).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(verdict.reason() + "\n");
    }

    /**
     * The request's {@code Host}, or its {@code :authority} when it came as HTTP/2 (java.net.http
     * upgrades a plain-text request to h2c, which has no Host header).
     */
    private static String host(RoutingContext ctx) {
        HostAndPort authority = ctx.request().authority();
        if (authority == null) {
            return ctx.request().getHeader("Host");
        }
        String name = authority.host();
        if (name.contains(":") && !name.startsWith("[")) {
            name = "[" + name + "]";
        }
        return authority.port() >= 0 ? name + ":" + authority.port() : name;
    }

    /** Requests refused since the start (tests check that a foreign page's requests arrived, and were refused). */
    public long refused() {
        return refused.get();
    }

    /** The decision, from the request's parts (plain values: unit-tested without a server). */
    Verdict decide(HttpMethod method, String path, Set<String> queryNames, String host, String origin,
                   String fetchSite, String authorization) {
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
            return new Verdict(403, "Host " + host + " is not an address of this app (allowed: " + hosts
                    + "; more with cdc.api.allowed-hosts)");
        }
        boolean consoleAction = isConsoleAction(path, queryNames);
        if (consoleAction && !consoleActions) {
            return new Verdict(403, "The dev console's actions are off (cdc.dev-console.actions-enabled=false)");
        }
        boolean changes = consoleAction || !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)
                || HttpMethod.OPTIONS.equals(method));
        if (!changes || hasToken(authorization)) {
            return Verdict.PASS;
        }
        if (authorization != null) {
            return new Verdict(401, "Wrong API token");
        }
        if (!consoleAction && sameOrigin(origin, fetchSite)) {
            return Verdict.PASS;
        }
        return new Verdict(403, "A request that changes something needs the app's own page (same Origin) or "
                + "Authorization: Bearer <token> (the token is in the start banner and in cdc.api.token-file)");
    }

    private boolean sameOrigin(String origin, String fetchSite) {
        if (origin != null) {
            return origins.contains(origin.toLowerCase(Locale.ROOT));
        }
        return "same-origin".equalsIgnoreCase(fetchSite);
    }

    private boolean hasToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    /** A dev console request that acts: an acting console named anywhere in the path, or an {@code action}. */
    static boolean isConsoleAction(String path, Set<String> queryNames) {
        if (path == null || !(path.equals(DEV_CONSOLE) || path.startsWith(DEV_CONSOLE + "/"))) {
            return false;
        }
        if (queryNames.stream().anyMatch(n -> n.equalsIgnoreCase(ACTION_PARAMETER))) {
            return true;
        }
        for (String id : path.substring(DEV_CONSOLE.length()).toLowerCase(Locale.ROOT).split("[^a-z0-9-]+")) {
            if (ACTING_CONSOLES.contains(id)) {
                return true;
            }
        }
        return false;
    }
}
