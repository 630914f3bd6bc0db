package io.cdccamel.connect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Where registration stands and what was last said about it. Logs once per change, never once
 * per tick: the route asks every second, and a retry loop must not flood the log.
 */
final class RegistrationState {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel." + RegisterConnectorRoute.ROUTE_ID);

    private volatile ConnectorRegistration.State state = ConnectorRegistration.State.STARTING;
    private volatile String message;

    ConnectorRegistration.State state() {
        return state;
    }

    String message() {
        return message;
    }

    /** An INFO line, unless only the details of "not reachable" changed (its exception text varies). */
    synchronized void move(ConnectorRegistration.State next, String detail) {
        if (next != state || !Objects.equals(detail, message) && next != ConnectorRegistration.State.UNREACHABLE) {
            LOG.info(detail);
        }
        set(next, detail);
    }

    /** An ERROR line: something a person has to fix. */
    synchronized void moveError(ConnectorRegistration.State next, String detail) {
        if (next != state || !Objects.equals(detail, message)) {
            LOG.error(detail);
        }
        set(next, detail);
    }

    /** Progress that is not a change of state (Connect ready, a config applied): said once, as it happens. */
    void say(String detail) {
        LOG.info(detail);
    }

    private void set(ConnectorRegistration.State next, String detail) {
        state = next;
        message = detail;
    }
}
