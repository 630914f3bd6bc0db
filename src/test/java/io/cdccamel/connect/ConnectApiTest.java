package io.cdccamel.connect;

import io.cdccamel.settings.SettingsReader;
import com.sun.net.httpserver.HttpServer;
import io.cdccamel.settings.ConnectSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectApi}, the app's only Connect client, against an HTTP server that records what it is
 * sent: every call, the live view's and the streaming watch's included, carries Connect's basic auth.
 */
class ConnectApiTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private CamelContext camel;
    private ConnectApi connect;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            calls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst(ConnectAuth.HEADER));
            byte[] body = "{\"offsets\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        camel = new DefaultCamelContext();
        Properties props = new Properties();
        props.put("cdc.connect.url", "http://127.0.0.1:" + server.getAddress().getPort());
        props.put(ConnectSettings.USERNAME, "cdc");
        props.put(ConnectSettings.PASSWORD, "s3cret");
        camel.getPropertiesComponent().setOverrideProperties(props);
        camel.start();
        connect = new ConnectApi(camel, ConnectorDefinition.load(Path.of("debezium_connect.json"), Map.of()),
                SettingsReader.read(camel, ConnectSettings::read));
    }

    @AfterEach
    void stop() {
        camel.stop();
        server.stop(0);
    }

    @Test
    void shouldSendConnectsBasicAuthOnEveryCall() throws Exception {
        connect.plugins();
        connect.connector();
        connect.status();
        connect.offsets();
        connect.withResponseTimeout(Duration.ofSeconds(3)).status();

        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("cdc:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(calls).containsExactly(
                "GET /connector-plugins " + basic,
                "GET /connectors/product_connector " + basic,
                "GET /connectors/product_connector/status " + basic,
                "GET /connectors/product_connector/offsets " + basic,
                "GET /connectors/product_connector/status " + basic);
        assertThat(connect.url()).isEqualTo("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
