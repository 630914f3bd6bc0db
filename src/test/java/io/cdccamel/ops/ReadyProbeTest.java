package io.cdccamel.ops;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** The image's health check command: 0 on 200 from readiness, 1 on 503 or nobody listening. */
class ReadyProbeTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String serve(int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(ReadyProbe.PATH, exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + ReadyProbe.PATH;
    }

    @Test
    void shouldExitZeroWhenTheAppIsReady() throws Exception {
        assertThat(ReadyProbe.check(serve(200))).isZero();
    }

    @Test
    void shouldExitOneWhenTheAppIsNotReady() throws Exception {
        assertThat(ReadyProbe.check(serve(503))).isEqualTo(1);
    }

    @Test
    void shouldExitOneWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(ReadyProbe.check("http://127.0.0.1:" + port + ReadyProbe.PATH)).isEqualTo(1);
    }
}
