package io.cdccamel.settings;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code cdc.api.*} and {@code cdc.dev-console.actions-enabled}: where the operations API listens and who may change state.
 *
 * @param host           {@code cdc.api.host}
 * @param port           {@code cdc.api.port}
 * @param allowedHosts   {@code cdc.api.allowed-hosts}: more names a request's Host may give
 * @param token          {@code cdc.api.token}: empty, a new random one at each start
 * @param tokenFile      {@code cdc.api.token-file}: where the token is written; null, nowhere
 * @param consoleActions {@code cdc.dev-console.actions-enabled}
 * @param managementPort {@code camel.management.port}: Camel's management server, the API's port unless set apart
 * @param probeHosts     {@code cdc.api.probe-hosts}: more names (or {@code *}, any) a probe's or scraper's Host may
 *                       give on {@code /observe/health/live}, {@code /observe/health/ready} and {@code /observe/metrics} only
 */
public record ApiSettings(String host, int port, List<String> allowedHosts, String token, Path tokenFile,
                          boolean consoleActions, int managementPort, List<String> probeHosts) {

    public static final String HOST = "cdc.api.host";
    public static final String PORT = "cdc.api.port";
    public static final String ALLOWED_HOSTS = "cdc.api.allowed-hosts";
    public static final String TOKEN = "cdc.api.token";
    public static final String TOKEN_FILE = "cdc.api.token-file";
    public static final String CONSOLE_ACTIONS = "cdc.dev-console.actions-enabled";
    public static final String MANAGEMENT_PORT = "camel.management.port";
    public static final String PROBE_HOSTS = "cdc.api.probe-hosts";

    public ApiSettings {
        allowedHosts = List.copyOf(allowedHosts);
        probeHosts = List.copyOf(probeHosts);
    }

    public static ApiSettings read(SettingsReader settings) {
        int port = settings.port(PORT, 8090);
        String tokenFile = settings.text(TOKEN_FILE, settings.text(StackModeSettings.DIR, StackModeSettings.DEFAULT_DIR) + "/api-token");
        return new ApiSettings(settings.text(HOST, "127.0.0.1"), port, settings.list(ALLOWED_HOSTS, ""),
                settings.secret(TOKEN, "").trim(), tokenFile.isEmpty() ? null : Path.of(tokenFile),
                settings.flag(CONSOLE_ACTIONS, false), settings.port(MANAGEMENT_PORT, port),
                settings.list(PROBE_HOSTS, ""));
    }

    /** The API's address, as a page or curl takes it. */
    public String url() {
        return "http://" + host + ":" + port;
    }

    /** Never the token. */
    @Override
    public String toString() {
        return "ApiSettings[" + url() + (token.isEmpty() ? "" : ", token set") + "]";
    }
}
