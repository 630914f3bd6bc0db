package io.cdccamel.live;

import io.cdccamel.ops.BrokerControl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The print route's filtered count in what the page reads: the messages of {@code /live/events} and
 * {@code /live/state}'s JSON carry it, read at each message, 0 included (docs/live-view.md).
 */
class LiveViewOutputTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    @Test
    void shouldCarryTheRouteStepsFilteredCountInEveryMessageAndTheState() throws Exception {
        AtomicLong filtered = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> failing = new java.util.concurrent.atomic.AtomicReference<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            LiveView view = new LiveView(null, BrokerControl.NONE, MAPPER, new LiveState(10, 10, 10), null, null, "embedded",
                    "http://127.0.0.1:0", 10, new ChartSeries(3_600_000, 5_000, "g"), filtered::get, failing::get);

            assertThat(json(view.message(List.of(), 0, true)).path("output").path("filtered").isIntegralNumber())
                    .as("0 is a number on the page, not a missing line").isTrue();
            assertThat(json(view.stateView()).path("output").path("filtered").asLong(-1)).isZero();

            filtered.set(4_711);
            assertThat(json(view.message(List.of(), 0, false)).path("output").path("filtered").asLong()).isEqualTo(4_711);
            assertThat(json(view.message(List.of(), 0, true)).path("output").path("filtered").asLong()).isEqualTo(4_711);
            assertThat(json(view.stateView()).path("output").path("filtered").asLong()).isEqualTo(4_711);
            assertThat(json(view.stateView()).path("output").has("stepsFailing")).as("no line while the steps pass").isFalse();

            failing.set("the route's steps fail on 2 record(s) not written yet: IllegalStateException: a step's bug");
            assertThat(json(view.message(List.of(), 0, false)).path("output").path("stepsFailing").asText())
                    .isEqualTo("the route's steps fail on 2 record(s) not written yet: IllegalStateException: a step's bug");
        }
    }

    /** As the page gets it: the app's mapper's JSON. */
    private static JsonNode json(Object value) throws Exception {
        return MAPPER.readTree(MAPPER.writeValueAsString(value));
    }
}
