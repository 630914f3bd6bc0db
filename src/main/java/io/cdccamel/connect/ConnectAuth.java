package io.cdccamel.connect;

import io.cdccamel.settings.ConnectSettings;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Basic authentication of the app's calls to Kafka Connect's REST API ({@code cdc.connect.url}),
 * for a Connect cluster behind its {@code BasicAuthSecurityRestExtension} or a proxy:
 * {@code cdc.connect.username} and {@code cdc.connect.password} (empty username: no header); or a
 * bearer token, {@code cdc.connect.token}, which embedded mode sets to its worker's (the worker's
 * {@code stack.ConnectRestGuard} takes state changes with it only). TLS is
 * an {@code https://} URL, trusted through the JVM's trust store ({@code -Djavax.net.ssl.trustStore}).
 */
public final class ConnectAuth {

    public static final String HEADER = "Authorization";

    private final String authorization;

    private ConnectAuth(String authorization) {
        this.authorization = authorization;
    }

    public static ConnectAuth none() {
        return new ConnectAuth(null);
    }

    public static ConnectAuth from(ConnectSettings connect) {
        if (!connect.token().isEmpty()) {
            return new ConnectAuth("Bearer " + connect.token());
        }
        if (connect.username().isEmpty()) {
            return none();
        }
        return new ConnectAuth("Basic " + Base64.getEncoder()
                .encodeToString((connect.username() + ":" + connect.password()).getBytes(StandardCharsets.UTF_8)));
    }

    /** The {@code Authorization} header's value, or null. */
    public String authorization() {
        return authorization;
    }

    /** Never the credentials. */
    @Override
    public String toString() {
        return authorization == null ? "no authentication"
                : authorization.startsWith("Bearer ") ? "token authentication" : "basic authentication";
    }
}
