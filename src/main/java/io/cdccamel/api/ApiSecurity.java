package io.cdccamel.api;

import io.cdccamel.base.Published;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.OwnerOnly;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.console.DevConsoleRegistry;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The API's access control, set up once per start: the bearer token of this start (printed in the
 * banner, written to {@code cdc.api.token-file} for scripts), the {@link RequestGuard} in front of
 * every route of the API's HTTP server (and of the management server's, when it has its own port),
 * and the dev console without its acting consoles unless {@code cdc.dev-console.actions-enabled}.
 */
@Published
public final class ApiSecurity {

    /** Registry name of this bean: the banner and tests read the token from it. */
    public static final String BEAN = "apiSecurity";

    private static final Logger LOG = LoggerFactory.getLogger(ApiSecurity.class);

    private final String token;
    private final Path tokenFile;
    private final boolean consoleActions;
    private final Set<Integer> ports;
    private final RequestGuard guard;

    private ApiSecurity(String token, ApiSettings api, RequestGuard guard) {
        this.token = token;
        this.tokenFile = api.tokenFile();
        this.consoleActions = api.consoleActions();
        // the API's server, and the management server's when it has a port of its own
        this.ports = new LinkedHashSet<>(List.of(api.port(), api.managementPort()));
        this.guard = guard;
    }

    /** From the app's settings: a configured token, else a new random one for this start. */
    public static ApiSecurity from(ApiSettings api) {
        String token = api.token().isEmpty() ? newToken() : api.token();
        if (api.tokenFile() != null) {
            write(api.tokenFile(), token);
        }
        // the names of the API's port, and of the management server's when it has a port of its own
        Set<String> hosts = new LinkedHashSet<>(RequestGuard.allowedHosts(api.host(), api.port(), api.allowedHosts()));
        hosts.addAll(RequestGuard.allowedHosts(api.host(), api.managementPort(), api.allowedHosts()));
        Set<String> probeHosts = new LinkedHashSet<>(RequestGuard.probeHosts(api.probeHosts(), api.port()));
        probeHosts.addAll(RequestGuard.probeHosts(api.probeHosts(), api.managementPort()));
        return new ApiSecurity(token, api, new RequestGuard(hosts, token, api.consoleActions(), probeHosts, api.port()));
    }

    /** 32 random bytes, URL-safe: fits an Authorization header and a shell argument as is. */
    static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Readable by the app's user only (mode 600), replaced in one move. */
    private static void write(Path file, String token) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.exists(dir)) {
                OwnerOnly.folder(dir);
            }
            // created with mode 600 (createTempFile's, on a POSIX file system): never open for an instant
            Path tmp = Files.createTempFile(dir, ".api-token", ".tmp");
            Files.writeString(tmp, token + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the API token to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts the guard in front of the routers of the API's port and of the management port; called
     * from a startup listener, once platform-http's servers exist and before any route starts.
     */
    public void install(CamelContext camel) {
        for (int port : ports) {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router != null) {
                guard.install(router);
            }
        }
        LOG.info("API: state changes need the token{} (the page gets it from the link the start prints); Host must be "
                + "this app's address; dev console actions {}", tokenFile == null ? "" : " (in " + tokenFile + ")",
                consoleActions ? "on, with the token" : "off");
    }

    /**
     * Camel's dev console without the consoles that act ({@link RequestGuard#ACTING_CONSOLES}) unless
     * they are turned on: called once the consoles are loaded (Camel fully started). The guard refuses
     * them anyway; this keeps them from being listed and from running for any other caller.
     */
    public void removeActingConsoles(CamelContext camel) {
        if (consoleActions) {
            return;
        }
        DevConsoleRegistry consoles = camel.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
        if (consoles == null) {
            return;
        }
        consoles.stream().filter(c -> RequestGuard.ACTING_CONSOLES.contains(c.getId())).toList().forEach(c -> {
            ServiceHelper.stopService(c);
            consoles.unregister(c);
        });
    }

    /** Requests the guard refused since the start. */
    public long refused() {
        return guard.refused();
    }

    public String token() {
        return token;
    }

    public Path tokenFile() {
        return tokenFile;
    }

    /** The page's link with the token: what the banner prints, once, on the console only. */
    public String pageLink(String apiUrl) {
        return apiUrl + RequestGuard.PAGE + "?" + RequestGuard.TOKEN_PARAMETER + "=" + token;
    }
}
