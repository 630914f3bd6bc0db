package io.cdccamel.stack;

import io.cdccamel.ops.BrokerControl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;

/** The embedded stack {@link EmbeddedStackListener} started, and the control of its brokers; nothing in external mode. */
@Configuration
public class StackConfiguration implements CamelConfiguration {

    private final EmbeddedStackListener listener;
    private final BrokerControl brokers;

    /** @param brokers the brokers' control of an app started beside a stack of its own (tests), or null */
    public StackConfiguration(EmbeddedStackListener listener, BrokerControl brokers) {
        this.listener = listener;
        this.brokers = brokers;
    }

    @BindToRegistry("localStack")
    public LocalStack localStack() {
        return listener.stack();
    }

    /** The embedded brokers' control (the failover demo), or {@link BrokerControl#NONE} in external mode. */
    @BindToRegistry(BrokerControl.BEAN)
    public BrokerControl brokerControl() {
        if (brokers != null) {
            return brokers;
        }
        LocalStack stack = listener.stack();
        return stack == null ? BrokerControl.NONE : new KafkaBrokerControl(stack.kafka());
    }

    /** The embedded PostgreSQL's health: DOWN while it is started again after a crash (none in external mode). */
    @BindToRegistry
    public PostgresHealthCheck postgresHealthCheck() {
        LocalStack stack = listener.stack();
        return stack == null || stack.postgres() == null ? null : new PostgresHealthCheck(stack);
    }

    /** The embedded PostgreSQL's meters (none in external mode). */
    @BindToRegistry
    public MeterBinder postgresMeters() {
        LocalStack stack = listener.stack();
        if (stack == null || stack.postgres() == null) {
            return null;
        }
        return registry -> {
            Gauge.builder("cdc.postgres.up", stack, s -> s.postgresDown() == null ? 1 : 0)
                    .description("1 while the embedded PostgreSQL runs; 0 while it is started again after a crash")
                    .register(registry);
            FunctionCounter.builder("cdc.postgres.restarts", stack, LocalStack::postgresRestarts)
                    .description("Starts of the embedded PostgreSQL again after it died under the app").register(registry);
        };
    }
}
