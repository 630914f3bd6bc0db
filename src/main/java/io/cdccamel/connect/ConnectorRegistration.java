package io.cdccamel.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the {@code register-connector} route has learnt from Connect's answers. It logs once per
 * change of state, never once per tick, and quotes Connect's error body when Connect refuses.
 */
public class ConnectorRegistration {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.register-connector");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Where registration stands. */
    public enum State { STARTING, UNREACHABLE, NOT_REGISTERED, CONFLICT, CONNECT_ERROR, REJECTED, REGISTERED, RUNNING, NOT_RUNNING }

    private final String connectorName;
    private final Runnable onFirstRunning;
    private final AtomicInteger created = new AtomicInteger();
    private volatile State state = State.STARTING;
    private volatile String lastDetail;
    private boolean announced;

    public ConnectorRegistration(String connectorName, Runnable onFirstRunning) {
        this.connectorName = connectorName;
        this.onFirstRunning = onFirstRunning;
    }

    public State state() {
        return state;
    }

    /** The last thing logged: what a health check or a test can show. */
    public String lastMessage() {
        return lastDetail;
    }

    /** How many times this app's POST created the connector (201). */
    public int createdCount() {
        return created.get();
    }

    public synchronized void onUnreachable(Exception e) {
        move(State.UNREACHABLE, "Kafka Connect is not reachable (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + "); retrying");
    }

    public synchronized void onMissing() {
        if (state == State.CONFLICT || state == State.CONNECT_ERROR || state == State.REJECTED) {
            return; // the POST that follows reports; a retry loop logs once, not once per tick
        }
        move(State.NOT_REGISTERED, "Connector " + connectorName + " is not registered; registering it");
    }

    /** The answer to {@code POST /connectors}. */
    public synchronized void onPostAnswer(int status, String body) {
        if (status == 201 || status == 200) {
            created.incrementAndGet();
            move(State.REGISTERED, "Connector " + connectorName + " registered");
        } else if (status == 409) {
            move(State.CONFLICT, "Kafka Connect answered 409 (" + errorMessage(body)
                    + "): it is rebalancing or another instance registered it; checking again");
        } else if (status >= 500) {
            move(State.CONNECT_ERROR, "Kafka Connect answered " + status + " (" + errorMessage(body) + "); retrying");
        } else {
            moveError(State.REJECTED, "Kafka Connect rejected connector " + connectorName + " with " + status
                    + ": " + errorMessage(body) + " -- fix debezium_connect.json; retrying");
        }
    }

    /** Any answer to {@code GET /connectors/<name>} other than 200 and 404. */
    public synchronized void onUnexpected(int status, String body) {
        if (status == 409 || status >= 500) {
            move(status == 409 ? State.CONFLICT : State.CONNECT_ERROR, "Kafka Connect answered " + status
                    + " (" + errorMessage(body) + "); retrying");
        } else {
            moveError(State.REJECTED, "Kafka Connect answered " + status + " to GET /connectors/" + connectorName
                    + ": " + errorMessage(body));
        }
    }

    /** The body of {@code GET /connectors/<name>/status}. */
    public synchronized void onStatus(String body) {
        String connectorState = "UNKNOWN";
        StringBuilder tasks = new StringBuilder();
        boolean allRunning;
        try {
            JsonNode status = MAPPER.readTree(body);
            connectorState = status.path("connector").path("state").asText("UNKNOWN");
            allRunning = "RUNNING".equals(connectorState) && status.path("tasks").size() > 0;
            for (JsonNode task : status.path("tasks")) {
                String taskState = task.path("state").asText("UNKNOWN");
                allRunning &= "RUNNING".equals(taskState);
                tasks.append(tasks.isEmpty() ? "" : ", ").append("task ").append(task.path("id").asText()).append(' ')
                        .append(taskState);
                if (task.hasNonNull("trace")) {
                    tasks.append(" (").append(firstLine(task.get("trace").asText())).append(')');
                }
            }
        } catch (IOException e) {
            allRunning = false;
        }
        String detail = "Connector " + connectorName + " is " + connectorState
                + (tasks.isEmpty() ? " (no task yet)" : " (" + tasks + ")");
        if (allRunning) {
            move(State.RUNNING, detail);
            if (!announced) {
                announced = true;
                onFirstRunning.run();
            }
        } else {
            move(State.NOT_RUNNING, detail);
        }
    }

    private void move(State next, String detail) {
        if (next != state || !Objects.equals(detail, lastDetail) && next != State.UNREACHABLE) {
            LOG.info(detail);
        }
        state = next;
        lastDetail = detail;
    }

    private void moveError(State next, String detail) {
        if (next != state || !Objects.equals(detail, lastDetail)) {
            LOG.error(detail);
        }
        state = next;
        lastDetail = detail;
    }

    /**
     * The body of {@code GET /api/connector}: Connect's status answer (or error) and this app's view.
     */
    public String statusReport(int status, String body) {
        com.fasterxml.jackson.databind.node.ObjectNode report = MAPPER.createObjectNode();
        report.put("name", connectorName);
        report.put("registration", state.name());
        report.put("lastMessage", lastDetail);
        if (status == 200) {
            try {
                report.set("status", MAPPER.readTree(body));
            } catch (IOException e) {
                report.put("error", "Kafka Connect answered 200 with a body that is not JSON: " + body);
            }
        } else {
            report.put("error", "Kafka Connect answered " + status + ": " + errorMessage(body));
        }
        return report.toPrettyString() + "\n";
    }

    /** Connect's errors look like {"error_code":400,"message":"..."}; fall back to the raw body. */
    static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "no body";
        }
        try {
            JsonNode json = MAPPER.readTree(body);
            if (json.hasNonNull("message")) {
                return json.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: quote it as it came
        }
        return body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
