package io.cdccamel.stack;

import io.cdccamel.ops.BrokerControl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.health.HealthCheckRegistry;

/** The embedded stack {@link EmbeddedStackListener} started, and the control of its brokers; nothing in external mode. */
@Configuration
public class StackConfiguration implements CamelConfiguration {

    private final EmbeddedStackListener listener;

    public StackConfiguration(EmbeddedStackListener listener) {
        this.listener = listener;
    }

    @BindToRegistry("localStack")
    public LocalStack localStack() {
        return listener.stack();
    }

    @BindToRegistry(BrokerControl.BEAN)
    public BrokerControl brokerControl() {
        LocalStack stack = listener.stack();
        return stack == null ? null : new KafkaBrokerControl(stack.kafka());
    }

    /** The embedded PostgreSQL's health and metrics: DOWN while it is started again after a crash. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        LocalStack stack = listener.stack();
        if (stack == null || stack.postgres() == null) {
            return;
        }
        HealthCheckRegistry.get(camel).register(new PostgresHealthCheck(stack));
        // the Prometheus registry is bound once Camel starts
        camel.addStartupListener((context, alreadyStarted) -> {
            MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("cdc.postgres.up", stack, s -> s.postgresDown() == null ? 1 : 0)
                        .description("1 while the embedded PostgreSQL runs; 0 while it is started again after a crash")
                        .register(registry);
                FunctionCounter.builder("cdc.postgres.restarts", stack, LocalStack::postgresRestarts)
                        .description("Starts of the embedded PostgreSQL again after it died under the app").register(registry);
            }
        });
    }
}
