package io.cdccamel.base;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Camel calls its startup listeners again whenever routes are started while it runs (a YAML route's
 * reload adds and starts one): a listener made by {@link AtStart#once} runs at the start only.
 * RouteReloadIT saw the app's gauges registered again, its request guard installed again and its
 * lost-offsets check scheduled again at each reload before.
 */
class AtStartTest {

    @Test
    void shouldRunAtTheStartAndNotWhenARouteIsAddedLater() throws Exception {
        AtomicInteger once = new AtomicInteger();
        AtomicInteger plain = new AtomicInteger();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addStartupListener(AtStart.once(started -> once.incrementAndGet()));
            camel.addStartupListener((started, alreadyStarted) -> plain.incrementAndGet());
            camel.start();
            assertThat(once).hasValue(1);

            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:later").routeId("later").log("later");
                }
            });

            assertThat(camel.getRouteController().getRouteStatus("later").isStarted()).isTrue();
            assertThat(plain.get()).as("Camel calls a plain listener again").isGreaterThan(1);
            assertThat(once).as("once").hasValue(1);
        }
    }
}
