package io.cdccamel.stack;

import io.cdccamel.ops.BrokerControl;

import java.util.Set;

/** {@link BrokerControl} over the embedded cluster. */
public record KafkaBrokerControl(KafkaCluster kafka) implements BrokerControl {

    @Override
    public Set<Integer> brokerIds() {
        return kafka.brokerIds();
    }

    @Override
    public boolean stop(int id) {
        return kafka.stopBroker(id);
    }

    @Override
    public boolean start(int id) {
        return kafka.startBroker(id);
    }
}
