package io.cdccamel.stack;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The embedded worker's REST API (8083) behind the same two locks as the app's own API (8090),
 * as a Connect REST extension ({@code rest.extension.classes}): a request whose {@code Host} is not
 * a name of this machine's loopback with the worker's port is refused (DNS rebinding: a page of
 * {@code evil.example} resolved to 127.0.0.1 would otherwise pause the connector or rewrite its
 * offsets), and anything but GET, HEAD and OPTIONS (pause, resume, stop, restart, offsets, a new
 * connector, its config, delete) needs {@code Authorization: Bearer <token>}, the token of
 * {@code <cdc.stack.dir>/secrets/connect-token}, which the app's own calls carry. Reads
 * ({@code GET /connectors...}, for kcctl and the docs' curl lines) need no token. Connect's own
 * calls between workers ({@code /connectors/<c>/fence}, {@code /tasks}) carry its signature
 * ({@code X-Connect-Authorization}), which Connect checks itself with its session key.
 */
public final class ConnectRestGuard implements ConnectRestExtension {

    /** Worker setting: the token (never logged: Connect names an unknown setting, not its value). */
    public static final String TOKEN = "cdc.rest.guard.token";
    /** Worker setting: the REST port, as the Host must give it. */
    public static final String PORT = "cdc.rest.guard.port";
    static final String SIGNATURE = "X-Connect-Authorization";
    private static final Pattern INTERNAL = Pattern.compile("^/?connectors/[^/]+/(fence|tasks)/?$");
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private static final Logger LOG = LoggerFactory.getLogger(ConnectRestGuard.class);
    /** Requests refused in this JVM (tests check that an attack arrived and was refused). */
    public static final AtomicLong REFUSED = new AtomicLong();

    private byte[] token;
    private Set<String> hosts;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(TOKEN);
        Object p = configs.get(PORT);
        if (t == null || t.toString().length() < 16 || p == null) {
            throw new IllegalArgumentException(ConnectRestGuard.class.getSimpleName() + " needs " + TOKEN + " (16+ characters) and " + PORT);
        }
        token = t.toString().getBytes(StandardCharsets.UTF_8);
        String port = p.toString();
        hosts = Set.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port);
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        context.configurable().register((ContainerRequestFilter) this::filter);
    }

    void filter(ContainerRequestContext request) {
        String refusal = decide(request.getMethod(), request.getUriInfo().getPath(), request.getHeaderString("Host"),
                request.getHeaderString("Authorization"), request.getHeaderString(SIGNATURE));
        if (refusal != null) {
            REFUSED.incrementAndGet();
            int status = refusal.startsWith("401") ? 401 : 403;
            LOG.warn("Kafka Connect REST: refused {} /{} (Host {}): {}", request.getMethod(),
                    request.getUriInfo().getPath(), request.getHeaderString("Host"), refusal.substring(4));
            request.abortWith(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity("{\"error_code\":" + status + ",\"message\":\"" + refusal.substring(4).replace("\"", "'") + "\"}")
                    .build());
        }
    }

    /** Null when the request passes; else {@code "<status> <reason>"}. */
    String decide(String method, String path, String host, String authorization, String signature) {
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
            return "403 Host " + host + " is not an address of this Kafka Connect worker (allowed: " + hosts + ")";
        }
        if (READS.contains(method.toUpperCase(Locale.ROOT))) {
            return null;
        }
        if (authorization != null) {
            String bearer = "Bearer ";
            if (authorization.regionMatches(true, 0, bearer, 0, bearer.length()) && MessageDigest.isEqual(
                    authorization.substring(bearer.length()).trim().getBytes(StandardCharsets.UTF_8), token)) {
                return null;
            }
            return "401 Wrong token for Kafka Connect's REST API";
        }
        if (signature != null && INTERNAL.matcher(path).matches()) {
            // a worker's call to the leader: Connect verifies its signature with the session key
            return null;
        }
        return "403 A request that changes something needs Authorization: Bearer <token> "
                + "(the token is in <cdc.stack.dir>/secrets/connect-token, e.g. data/secrets/connect-token)";
    }

    @Override
    public void close() {
    }

    @Override
    public String version() {
        return "1";
    }
}
