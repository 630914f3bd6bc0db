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
 *       action) needs the token: {@code Authorization: Bearer <token>} (curl, scripts), or the
 *       page's cookie ({@link #cookieName}) <em>and</em> an {@code Origin} of the app itself (else
 *       {@code Sec-Fetch-Site: same-origin}). An {@code Origin} alone is a browser's word, not a
 *       credential: any local process writes the app's own. The page gets the cookie the way
 *       Jupyter's does: the banner's link {@code /?token=...} is exchanged for an {@code HttpOnly},
 *       {@code SameSite=Strict} cookie and a redirect to {@code /} (the token leaves the address
 *       bar); {@link #ACCESS} tells the page whether it holds it;</li>
 *   <li>the probes' paths ({@link #PROBE_PATHS}: GET only) also take the {@code Host} names of
 *       {@code cdc.api.probe-hosts} ({@code *}: any), so a Kubernetes probe or a Prometheus on
 *       another host reads them without any other path opening to those names;</li>
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
    static final String COOKIE = "Cookie";
    static final String DEV_CONSOLE = "/q/dev";
    /** The page's link: {@code /?token=...}, exchanged for the cookie. */
    static final String PAGE = "/";
    static final String TOKEN_PARAMETER = "token";
    /** Whether the request holds the page's cookie: the page turns its buttons on or off by it. */
    public static final String ACCESS = "/live/access";
    /** Health and metrics: what probes and scrapers read; {@code cdc.api.probe-hosts} opens them to more Host names. */
    public static final Set<String> PROBE_PATHS = Set.of("/observe/health/live", "/observe/health/ready",
            "/observe/metrics");
    /** {@code cdc.api.probe-hosts} value that accepts any Host on {@link #PROBE_PATHS}. */
    public static final String ANY_HOST = "*";
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
    private final Set<String> probeHosts;
    private final Set<String> origins;
    private final byte[] token;
    private final String cookieName;
    private final boolean consoleActions;
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param hosts          the accepted {@code Host} values, each as {@code name:port}
     * @param token          the bearer token of this start
     * @param consoleActions {@code cdc.dev-console.actions-enabled}
     * @param probeHosts     more {@code Host} values (each {@code name:port}, or {@link #ANY_HOST}) for {@link #PROBE_PATHS}
     * @param port           the API's port: names the page's cookie (a browser sends a cookie to every port of a host)
     */
    public RequestGuard(Collection<String> hosts, String token, boolean consoleActions, Collection<String> probeHosts,
                        int port) {
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
        this.probeHosts = new LinkedHashSet<>();
        probeHosts.forEach(h -> this.probeHosts.add(h.toLowerCase(Locale.ROOT)));
        this.cookieName = cookieName(port);
    }

    /** The page's cookie: one per port, so that two apps of one host keep theirs apart. */
    static String cookieName(int port) {
        return "cdc-camel-token-" + port;
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

    /**
     * The names of {@code cdc.api.probe-hosts}, each with the port (a name that has one keeps it),
     * or {@link #ANY_HOST} alone.
     */
    public static Set<String> probeHosts(List<String> names, int port) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            String name = n.trim().toLowerCase(Locale.ROOT);
            if (name.equals(ANY_HOST)) {
                return Set.of(ANY_HOST);
            }
            if (!name.isEmpty()) {
                out.add(name.matches(".*:\\d+") && !name.endsWith("]") ? name : name + ":" + port);
            }
        }
        return out;
    }

    /** Adds the guard in front of every route of {@code router}, and the page's token exchange behind it. */
    public void install(Router router) {
        router.route().order(ORDER).handler(this);
        router.get(PAGE).order(ORDER + 1).handler(this::exchangeToken);
        router.get(ACCESS).order(ORDER + 1).handler(this::access);
    }

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap headers = ctx.request().headers();
        String host = host(ctx);
        Verdict verdict = decide(ctx.request().method(), ctx.normalizedPath(), ctx.queryParams().names(),
                host, headers.get(ORIGIN), headers.get(SEC_FETCH_SITE), headers.get(AUTHORIZATION),
                cookieToken(headers.getAll(COOKIE)));
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

    /**
     * {@code GET /?token=...}: the right token becomes the page's cookie ({@code HttpOnly}: no script
     * reads it; {@code SameSite=Strict}: no other site's request carries it) and the browser is sent
     * to {@code /}, so the token leaves the address bar and its history entry; a wrong one is refused.
     */
    private void exchangeToken(RoutingContext ctx) {
        String given = ctx.queryParams().get(TOKEN_PARAMETER);
        if (given == null) {
            ctx.next();
            return;
        }
        if (!matches(given)) {
            refused.incrementAndGet();
            LOG.warn("Refused the page's link: its token is not this start's");
            ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("This link's token is not this start's: open the link the app printed at its start ("
                            + "the token changes at every start unless cdc.api.token is set; it is also in cdc.api.token-file)\n");
            return;
        }
        ctx.response().setStatusCode(303).putHeader("Location", PAGE)
                .putHeader("Set-Cookie", cookieName + "=" + given + "; Path=/; HttpOnly; SameSite=Strict")
                .putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer").end();
    }

    /** {@code GET /live/access}: {@code {"acts": true}} when the request holds the page's cookie. */
    private void access(RoutingContext ctx) {
        boolean acts = hasCookieToken(cookieToken(ctx.request().headers().getAll(COOKIE)));
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end("{\"acts\":" + acts + "}");
    }

    /** The value of the page's cookie among the request's {@code Cookie} headers, or null. */
    String cookieToken(List<String> cookieHeaders) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(cookieName)) {
                    return pair.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    /** Requests refused since the start (tests check that a foreign page's requests arrived, and were refused). */
    public long refused() {
        return refused.get();
    }

    /** The decision, from the request's parts (plain values: unit-tested without a server). */
    Verdict decide(HttpMethod method, String path, Set<String> queryNames, String host, String origin,
                   String fetchSite, String authorization, String cookieToken) {
        if (host != null && isProbe(method, path) && (probeHosts.contains(ANY_HOST)
                || probeHosts.contains(host.toLowerCase(Locale.ROOT)))) {
            return Verdict.PASS;
        }
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
        if (!consoleAction && hasCookieToken(cookieToken) && sameOrigin(origin, fetchSite)) {
            return Verdict.PASS;
        }
        if (!consoleAction && cookieToken != null && !hasCookieToken(cookieToken)) {
            return new Verdict(401, "The page's token is not this start's: open the link the app printed at its start");
        }
        return new Verdict(403, "A request that changes something needs the token: Authorization: Bearer <token> "
                + "(in cdc.api.token-file), or the page opened from the link the app prints at start "
                + "(http://<cdc.api.host>:<cdc.api.port>/?token=<token>)");
    }

    private static boolean isProbe(HttpMethod method, String path) {
        return (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) && PROBE_PATHS.contains(path);
    }

    private boolean hasCookieToken(String cookieToken) {
        return cookieToken != null && matches(cookieToken);
    }

    private boolean matches(String given) {
        return MessageDigest.isEqual(given.trim().getBytes(StandardCharsets.UTF_8), token);
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
        return matches(authorization.substring(BEARER.length()));
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
