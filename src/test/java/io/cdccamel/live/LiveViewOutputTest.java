package io.cdccamel.live;

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
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            LiveView view = new LiveView(camel, MAPPER, new LiveState(10, 10, 10), null, null, "embedded",
                    "http://127.0.0.1:0", 10, new ChartSeries(3_600_000, 5_000, "g"), filtered::get);

            assertThat(json(view.message(List.of(), 0, true)).path("output").path("filtered").isIntegralNumber())
                    .as("0 is a number on the page, not a missing line").isTrue();
            assertThat(json(view.stateView()).path("output").path("filtered").asLong(-1)).isZero();

            filtered.set(4_711);
            assertThat(json(view.message(List.of(), 0, false)).path("output").path("filtered").asLong()).isEqualTo(4_711);
            assertThat(json(view.message(List.of(), 0, true)).path("output").path("filtered").asLong()).isEqualTo(4_711);
            assertThat(json(view.stateView()).path("output").path("filtered").asLong()).isEqualTo(4_711);
        }
    }

    /** As the page gets it: the app's mapper's JSON. */
    private static JsonNode json(Object value) throws Exception {
        return MAPPER.readTree(MAPPER.writeValueAsString(value));
    }
}
