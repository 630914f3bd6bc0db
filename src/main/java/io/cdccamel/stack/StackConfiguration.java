package io.cdccamel.stack;

import io.cdccamel.ops.BrokerControl;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;

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
}
