package io.cdccamel.settings;

import java.util.List;
import java.util.Map;

/**
 * {@code cdc.connect.*}: the Kafka Connect cluster, and how route register-connector keeps the connector there.
 *
 * @param url               {@code cdc.connect.url}: its REST API
 * @param port              {@code cdc.connect.port}: embedded mode's REST port
 * @param username          {@code cdc.connect.username}: basic authentication; empty: none
 * @param password          {@code cdc.connect.password}
 * @param initialDelayMillis {@code cdc.connect.initial-delay.ms}
 * @param pollMillis        {@code cdc.connect.poll.ms}
 * @param postJitterMillis  {@code cdc.connect.post-jitter.ms}
 * @param claimTtlMillis    {@code cdc.connect.claim-ttl.ms}
 * @param maxRestarts       {@code cdc.connect.max-restarts}
 * @param backoffMaxMillis  {@code cdc.connect.backoff-max.ms}
 * @param internalTopics    {@code cdc.connect.internal-topics}
 * @param worker            {@code cdc.connect.worker.<key>}: embedded mode's worker settings
 * @param token             {@code cdc.connect.token}: a bearer token for the REST API (embedded mode sets its
 *                          worker's); empty: none
 */
public record ConnectSettings(String url, int port, String username, String password, long initialDelayMillis,
                              long pollMillis, long postJitterMillis, long claimTtlMillis, int maxRestarts,
                              long backoffMaxMillis, List<String> internalTopics, Map<String, String> worker,
                              String token) {

    public static final String URL = "cdc.connect.url";
    public static final String PORT = "cdc.connect.port";
    public static final String USERNAME = "cdc.connect.username";
    public static final String PASSWORD = "cdc.connect.password";
    public static final String INITIAL_DELAY_MS = "cdc.connect.initial-delay.ms";
    public static final String POLL_MS = "cdc.connect.poll.ms";
    public static final String POST_JITTER_MS = "cdc.connect.post-jitter.ms";
    public static final String CLAIM_TTL_MS = "cdc.connect.claim-ttl.ms";
    public static final String MAX_RESTARTS = "cdc.connect.max-restarts";
    public static final String BACKOFF_MAX_MS = "cdc.connect.backoff-max.ms";
    public static final String INTERNAL_TOPICS = "cdc.connect.internal-topics";
    public static final String WORKER_PREFIX = "cdc.connect.worker.";
    public static final String TOKEN = "cdc.connect.token";
    /** The Kafka topic through which app instances agree on who creates a missing connector (not a setting). */
    public static final String REGISTRATIONS_TOPIC = "cdc-camel.registrations";

    public ConnectSettings {
        internalTopics = List.copyOf(internalTopics);
        worker = Map.copyOf(worker);
    }

    public static ConnectSettings read(SettingsReader settings) {
        String url = settings.text(URL, "http://localhost:8083");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            settings.problem(URL + " must be an http:// or https:// URL, not '" + url + "'");
        }
        return new ConnectSettings(url, settings.port(PORT, 8083), settings.text(USERNAME, ""), settings.secret(PASSWORD, ""),
                settings.whole(INITIAL_DELAY_MS, 0, 0), settings.whole(POLL_MS, 1000, 1),
                settings.whole(POST_JITTER_MS, 1000, 0), settings.whole(CLAIM_TTL_MS, 60000, 1),
                settings.number(MAX_RESTARTS, 5, 0), settings.whole(BACKOFF_MAX_MS, 30000, 1),
                settings.list(INTERNAL_TOPICS, "my_connect_configs,my_connect_offsets,my_connect_statuses"),
                settings.withPrefix(WORKER_PREFIX), settings.secret(TOKEN, "").trim());
    }

    /** Never the password, nor the worker's secrets. */
    @Override
    public String toString() {
        return "ConnectSettings[" + url + (username.isEmpty() ? "" : ", user " + username) + "]";
    }
}
