package io.cdccamel.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the {@code register-connector} route has learnt from Kafka Connect's answers, and what it
 * should do next. It logs once per change of state, never once per tick, quotes Connect's error
 * body when Connect refuses, never logs a config value, and backs off while Connect is unwell.
 */
public class ConnectorRegistration {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.register-connector");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The connector setting by which Connect refuses a connector on a worker without exactly-once. */
    static final String EXACTLY_ONCE_SUPPORT = "exactly.once.support";
    static final String EXACTLY_ONCE_HINT = "this Kafka Connect worker does not run with exactly-once source support: "
            + "set exactly.once.source.support=enabled on every worker of its cluster (KIP-618); the connector requires "
            + "it (exactly.once.support=required) rather than stream with re-sends after a worker crash";

    /** Where registration stands. */
    public enum State {
        STARTING, WAITING_FOR_CONNECT, UNREACHABLE, NOT_REGISTERED, REGISTERED_ELSEWHERE, INVALID, CONFLICT, CONNECT_ERROR, REJECTED,
        REGISTERED, RUNNING, NOT_RUNNING, FAILED, GAVE_UP
    }

    private final ConnectorDefinition definition;
    private final Runnable onFirstRunning;
    private final int maxRestarts;
    private final long backoffMaxMillis;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger updated = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile State state = State.STARTING;
    private volatile String lastDetail;
    private volatile boolean connectReady;
    private boolean announced;
    private int failures;
    private long nextAttemptAt;

    public ConnectorRegistration(ConnectorDefinition definition, Runnable onFirstRunning, int maxRestarts,
                                 long backoffMaxMillis) {
        this.definition = definition;
        this.onFirstRunning = onFirstRunning;
        this.maxRestarts = maxRestarts;
        this.backoffMaxMillis = backoffMaxMillis;
    }

    public State state() {
        return state;
    }

    /** The last thing logged: what the health check and {@code /api/connector} show. */
    public String lastMessage() {
        return lastDetail;
    }

    /** How many times this app's POST created the connector (201). */
    public int createdCount() {
        return created.get();
    }

    /** How many times this app applied a changed config with PUT. */
    public int updatedCount() {
        return updated.get();
    }

    /** How many restarts of failed parts this app asked for since the connector last ran. */
    public int restartCount() {
        return restarts.get();
    }

    // ---- pacing --------------------------------------------------------------------------

    /**
     * False while backing off after a failure, and for good once Connect refused the connector
     * (a 4xx other than 404 and 409): repeating the same request cannot help.
     */
    public synchronized boolean shouldAttempt() {
        return state != State.REJECTED && System.currentTimeMillis() >= nextAttemptAt;
    }

    private void backOff() {
        failures = Math.min(failures + 1, 20);
        long delay = Math.min(backoffMaxMillis, 500L << Math.min(failures, 10));
        nextAttemptAt = System.currentTimeMillis() + delay;
    }

    private void recovered() {
        failures = 0;
        nextAttemptAt = 0;
    }

    // ---- readiness -----------------------------------------------------------------------

    public boolean isConnectReady() {
        return connectReady;
    }

    /** The answer to {@code GET /connector-plugins}: ready once it lists the connector's class. */
    public synchronized void onPlugins(int status, String body) {
        String connectorClass = definition.config("connector.class");
        if (status == 200 && body != null && body.contains("\"" + connectorClass + "\"")) {
            connectReady = true;
            recovered();
            LOG.info("Kafka Connect is ready: it lists {}", connectorClass);
        } else {
            move(State.WAITING_FOR_CONNECT, "Waiting for Kafka Connect to list " + connectorClass
                    + " in GET /connector-plugins (answer " + status + ")");
            backOff();
        }
    }

    public synchronized void onUnreachable(Exception e) {
        move(State.UNREACHABLE, "Kafka Connect is not reachable (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + "); retrying with backoff");
        connectReady = false;
        backOff();
    }

    // ---- creation ------------------------------------------------------------------------

    public synchronized void onMissing() {
        if (state == State.CONFLICT || state == State.CONNECT_ERROR || state == State.REJECTED || state == State.INVALID
                || state == State.REGISTERED_ELSEWHERE) {
            return; // the POST that follows reports; a retry loop logs once, not once per tick
        }
        move(State.NOT_REGISTERED, "Connector " + definition.name() + " is not registered; validating and registering it");
    }

    /** Another instance won the right to create the connector: wait for it to appear. */
    public synchronized void onClaimedElsewhere() {
        move(State.REGISTERED_ELSEWHERE, "Another instance is registering connector " + definition.name()
                + "; waiting for it to appear");
    }

    /** The body of {@code PUT /connectors/<name>/config} and of the validation call. */
    public String configJson() {
        return definition.configJson();
    }

    /**
     * The answer to {@code PUT /connector-plugins/<class>/config/validate}.
     *
     * @return true when Connect found no error, so the connector may be posted
     */
    public synchronized boolean onValidation(int status, String body) {
        if (status != 200) {
            move(status == 409 ? State.CONFLICT : State.CONNECT_ERROR, "Kafka Connect answered " + status
                    + " to the validation of " + definition.name() + " (" + errorMessage(body) + "); retrying");
            backOff();
            return false;
        }
        List<String> errors = new ArrayList<>();
        try {
            JsonNode result = MAPPER.readTree(body);
            for (JsonNode config : result.path("configs")) {
                JsonNode value = config.path("value");
                for (JsonNode error : value.path("errors")) {
                    errors.add(value.path("name").asText() + ": " + error.asText());
                }
            }
            if (errors.isEmpty() && result.path("error_count").asInt() > 0) {
                errors.add(result.path("error_count").asInt() + " error(s) without details: " + body);
            }
        } catch (IOException e) {
            errors.add("validation answer is not JSON: " + body);
        }
        if (errors.isEmpty()) {
            return true;
        }
        boolean exactlyOnce = errors.stream().anyMatch(e -> e.startsWith(EXACTLY_ONCE_SUPPORT + ":"));
        moveError(State.INVALID, "Kafka Connect finds connector " + definition.name() + " invalid; not posting it ("
                + errors.size() + " error(s)):\n  " + String.join("\n  ", errors)
                + (exactlyOnce ? "\n  -> " + EXACTLY_ONCE_HINT : ""));
        backOff();
        return false;
    }

    /** The answer to {@code POST /connectors}. */
    public synchronized void onPostAnswer(int status, String body) {
        if (status == 201 || status == 200) {
            created.incrementAndGet();
            recovered();
            move(State.REGISTERED, "Connector " + definition.name() + " registered");
        } else {
            onFailedCall("POST /connectors", status, body);
        }
    }

    // ---- drift ---------------------------------------------------------------------------

    /**
     * Compares {@code GET /connectors/<name>} with the file (and this mode's overrides).
     *
     * @return the config to PUT when they differ, else null
     */
    public synchronized String configDrift(String connectorInfo) {
        JsonNode actual;
        try {
            actual = MAPPER.readTree(connectorInfo).path("config");
        } catch (IOException e) {
            return null;
        }
        ObjectNode desired = definition.configNode();
        TreeSet<String> changed = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!Objects.equals(e.getValue().asText(), actual.path(e.getKey()).asText(null))) {
                changed.add(e.getKey());
            }
        }
        for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!desired.has(key) && !"name".equals(key)) {
                changed.add(key);
            }
        }
        if (changed.isEmpty()) {
            return null;
        }
        // keys only: values may be secrets
        LOG.info("Connector {} differs from {} in {}; applying the file with PUT /connectors/{}/config",
                definition.name(), definition.origin(), changed, definition.name());
        return definition.configJson();
    }

    /** The answer to {@code PUT /connectors/<name>/config}. */
    public synchronized void onPutAnswer(int status, String body) {
        if (status == 200 || status == 201) {
            updated.incrementAndGet();
            recovered();
            LOG.info("Connector {} now runs the config of {}", definition.name(), definition.origin());
        } else {
            onFailedCall("PUT /connectors/" + definition.name() + "/config", status, body);
        }
    }

    // ---- watching and healing ------------------------------------------------------------

    /**
     * The body of {@code GET /connectors/<name>/status}.
     *
     * @return true when a failed connector or task should be restarted now
     */
    public synchronized boolean onStatus(String body) {
        String connectorState = "UNKNOWN";
        StringBuilder tasks = new StringBuilder();
        List<String> traces = new ArrayList<>();
        boolean allRunning;
        boolean anyFailed;
        try {
            JsonNode status = MAPPER.readTree(body);
            JsonNode connector = status.path("connector");
            connectorState = connector.path("state").asText("UNKNOWN");
            anyFailed = "FAILED".equals(connectorState);
            if (connector.hasNonNull("trace")) {
                traces.add("connector: " + firstLines(connector.get("trace").asText(), 3));
            }
            allRunning = "RUNNING".equals(connectorState) && status.path("tasks").size() > 0;
            for (JsonNode task : status.path("tasks")) {
                String taskState = task.path("state").asText("UNKNOWN");
                allRunning &= "RUNNING".equals(taskState);
                anyFailed |= "FAILED".equals(taskState);
                tasks.append(tasks.isEmpty() ? "" : ", ").append("task ").append(task.path("id").asText())
                        .append(' ').append(taskState);
                if (task.hasNonNull("trace")) {
                    traces.add("task " + task.path("id").asText() + ": " + firstLines(task.get("trace").asText(), 3));
                }
            }
        } catch (IOException e) {
            allRunning = false;
            anyFailed = false;
        }
        String detail = "Connector " + definition.name() + " is " + connectorState
                + (tasks.isEmpty() ? " (no task yet)" : " (" + tasks + ")");
        if (allRunning) {
            restarts.set(0);
            recovered();
            move(State.RUNNING, detail);
            if (!announced) {
                announced = true;
                onFirstRunning.run();
            }
            return false;
        }
        if (!anyFailed) {
            move(State.NOT_RUNNING, detail);
            return false;
        }
        if (restarts.get() >= maxRestarts) {
            moveError(State.GAVE_UP, detail + "; gave up after " + maxRestarts
                    + " restarts (cdc.connect.max-restarts): fix the cause, then restart the connector"
                    + (traces.isEmpty() ? "" : "\n  " + String.join("\n  ", traces)));
            return false;
        }
        moveError(State.FAILED, detail + "; restarting the failed parts (restart " + (restarts.get() + 1) + " of "
                + maxRestarts + ")" + (traces.isEmpty() ? "" : "\n  " + String.join("\n  ", traces)));
        restarts.incrementAndGet();
        backOff();
        return true;
    }

    /** The answer to {@code POST /connectors/<name>/restart?includeTasks=true&onlyFailed=true}. */
    public synchronized void onRestartAnswer(int status, String body) {
        if (status == 202 || status == 204 || status == 200) {
            LOG.info("Kafka Connect accepted the restart of {}'s failed parts ({})", definition.name(), status);
        } else {
            onFailedCall("POST /connectors/" + definition.name() + "/restart", status, body);
        }
    }

    /** Any answer to {@code GET /connectors/<name>} other than 200 and 404. */
    public synchronized void onUnexpected(int status, String body) {
        onFailedCall("GET /connectors/" + definition.name(), status, body);
    }

    /** 409 and 5xx are passing and retried with backoff; other 4xx are Connect refusing: quoted, final. */
    private void onFailedCall(String call, int status, String body) {
        if (status == 409) {
            move(State.CONFLICT, "Kafka Connect answered 409 to " + call + " (" + errorMessage(body)
                    + "): it is rebalancing or another instance acted first; checking again");
        } else if (status >= 500) {
            move(State.CONNECT_ERROR, "Kafka Connect answered " + status + " to " + call + " ("
                    + errorMessage(body) + "); retrying with backoff");
        } else {
            String message = errorMessage(body);
            moveError(State.REJECTED, "Kafka Connect rejected " + call + " with " + status + ": " + message
                    + (message.contains(EXACTLY_ONCE_SUPPORT) ? " -- " + EXACTLY_ONCE_HINT + ";" : "")
                    + " -- fix " + definition.origin() + " and restart; no further attempts");
        }
        backOff();
    }

    /** Readiness: the connector and all its tasks run. */
    public boolean isHealthy() {
        return state == State.RUNNING;
    }

    /**
     * The body of {@code GET /api/connector}: Connect's status answer (or error) and this app's view.
     */
    public String statusReport(int status, String body) {
        ObjectNode report = MAPPER.createObjectNode();
        report.put("name", definition.name());
        report.put("registration", state.name());
        report.put("lastMessage", lastDetail);
        report.put("restarts", restarts.get());
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

    private static String firstLines(String text, int n) {
        String[] lines = text.split("\n", n + 1);
        return String.join(" | ", java.util.Arrays.copyOf(lines, Math.min(n, lines.length))).trim();
    }
}
