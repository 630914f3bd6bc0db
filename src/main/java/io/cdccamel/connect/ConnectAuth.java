package io.cdccamel.connect;

import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.SettingsReader;
import org.apache.camel.spi.PropertiesComponent;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Basic authentication of the app's calls to Kafka Connect's REST API ({@code cdc.connect.url}),
 * for a Connect cluster behind its {@code BasicAuthSecurityRestExtension} or a proxy:
 * {@code cdc.connect.username} and {@code cdc.connect.password} (empty username: no header). TLS is
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
        if (connect.username().isEmpty()) {
            return none();
        }
        return new ConnectAuth("Basic " + Base64.getEncoder()
                .encodeToString((connect.username() + ":" + connect.password()).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@link #from(ConnectSettings)} of {@code pc}'s settings: for ConnectApi and the live view until they take the bound ones. */
    public static ConnectAuth from(PropertiesComponent pc) {
        SettingsReader settings = new SettingsReader(pc);
        ConnectSettings connect = ConnectSettings.read(settings);
        settings.check();
        return from(connect);
    }

    /** The {@code Authorization} header's value, or null. */
    public String authorization() {
        return authorization;
    }

    /** Never the credentials. */
    @Override
    public String toString() {
        return authorization == null ? "no authentication" : "basic authentication";
    }
}
