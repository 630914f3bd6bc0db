package io.cdccamel.ops;

import java.util.Set;

/** Stops and starts single brokers of the embedded cluster, for the failover demo. */
public interface BrokerControl {

    /** The registry name under which embedded mode binds its control; external mode binds none. */
    String BEAN = "brokerControl";

    Set<Integer> brokerIds();

    /** @return false when the broker was already stopped */
    boolean stop(int id);

    /** @return false when the broker was already running */
    boolean start(int id);
}
