package io.cdccamel.stack;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectRestGuardTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String HOST = "localhost:8083";

    private static ConnectRestGuard guard() {
        ConnectRestGuard guard = new ConnectRestGuard();
        guard.configure(Map.of(ConnectRestGuard.TOKEN, TOKEN, ConnectRestGuard.PORT, "8083"));
        return guard;
    }

    @Test
    void shouldRefuseAForeignHostForReadsAndChanges() {
        ConnectRestGuard guard = guard();
        for (String host : List.of("evil.example:8083", "127.0.0.1.nip.io:8083", "localhost:8084", "localhost")) {
            assertThat(guard.decide("GET", "connectors", host, null, null)).as(host).startsWith("403 Host");
            assertThat(guard.decide("PUT", "connectors/c/pause", host, "Bearer " + TOKEN, null)).as(host).startsWith("403");
        }
        assertThat(guard.decide("GET", "connectors", null, null, null)).startsWith("403");
    }

    @Test
    void shouldLetLoopbackReadWithoutTheToken() {
        ConnectRestGuard guard = guard();
        for (String host : List.of("localhost:8083", "127.0.0.1:8083", "[::1]:8083", "LOCALHOST:8083")) {
            assertThat(guard.decide("GET", "connectors", host, null, null)).as(host).isNull();
        }
        assertThat(guard.decide("GET", "connectors/c/offsets", HOST, null, null)).isNull();
    }

    @Test
    void shouldTakeStateChangesWithTheTokenOnly() {
        ConnectRestGuard guard = guard();
        for (String[] change : new String[][] {{"PUT", "connectors/c/pause"}, {"PUT", "connectors/c/resume"},
                {"PUT", "connectors/c/stop"}, {"POST", "connectors/c/restart"}, {"PATCH", "connectors/c/offsets"},
                {"DELETE", "connectors/c/offsets"}, {"POST", "connectors"}, {"PUT", "connectors/c/config"},
                {"DELETE", "connectors/c"}}) {
            assertThat(guard.decide(change[0], change[1], HOST, null, null)).as(change[1]).startsWith("403");
            assertThat(guard.decide(change[0], change[1], HOST, "Bearer wrong", null)).as(change[1]).startsWith("401");
            assertThat(guard.decide(change[0], change[1], HOST, "Bearer " + TOKEN, null)).as(change[1]).isNull();
        }
        // a worker's signed call to the leader is Connect's to check; a signature opens nothing else
        assertThat(guard.decide("PUT", "connectors/c/fence", HOST, null, "sig")).isNull();
        assertThat(guard.decide("POST", "connectors/c/tasks", HOST, null, "sig")).isNull();
        assertThat(guard.decide("PUT", "connectors/c/pause", HOST, null, "sig")).startsWith("403");
    }

    @Test
    void shouldNotStartWithoutAToken() {
        assertThatThrownBy(() -> new ConnectRestGuard().configure(Map.of(ConnectRestGuard.PORT, "8083")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
