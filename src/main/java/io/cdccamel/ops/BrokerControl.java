package io.cdccamel.ops;

import io.cdccamel.base.Published;
import java.util.Set;

/** Stops and starts single brokers of the embedded cluster, for the failover demo. */
@Published
public interface BrokerControl {

    /** The registry name of the control: embedded mode's brokers, or {@link #NONE}. */
    String BEAN = "brokerControl";

    /** External mode: the brokers are the user's cluster's, none is controlled here. */
    BrokerControl NONE = new BrokerControl() {
        @Override
        public Set<Integer> brokerIds() {
            return Set.of();
        }

        @Override
        public boolean stop(int id) {
            throw new IllegalStateException("No broker is controlled here in external mode");
        }

        @Override
        public boolean start(int id) {
            throw new IllegalStateException("No broker is controlled here in external mode");
        }
    };

    Set<Integer> brokerIds();

    /** @return false when the broker was already stopped */
    boolean stop(int id);

    /** @return false when the broker was already running */
    boolean start(int id);
}
