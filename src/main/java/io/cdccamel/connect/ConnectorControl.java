package io.cdccamel.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdccamel.api.ApiReplies;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Pause, resume and restart of the connector for {@code POST /api/connector/pause|resume|restart}:
 * Kafka Connect's own calls ({@link ConnectApi}, with Connect's token), then Connect's status read
 * until it shows the new state (at most {@link #SETTLE}), so that the answer is the state reached,
 * not just "accepted". A pause is noted in {@link ConnectorRegistration} with who asked, so that
 * route {@code register-connector} reports it as deliberate and leaves it alone.
 */
final class ConnectorControl {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.connector-control");

    /** How long an answer waits for Connect's status to show the new state; after that: 202 with the state so far. */
    static final Duration SETTLE = Duration.ofSeconds(20);
    private static final long POLL_MS = 200;
    /** How long a restart's answer waits to see the restart in Connect's status before it waits for its end. */
    static final Duration SEE_RESTART = Duration.ofSeconds(5);
    /** The longest {@code ?reason=} kept with a pause. */
    static final int MAX_REASON = 500;
    /** The header under which platform-http (Vert.x) gives the client's address. */
    static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    private static final Set<String> MOVING = Set.of("RESTARTING", "UNASSIGNED");

    private final ConnectApi connect;
    private final ConnectorRegistration registration;
    private final Duration settle;

    ConnectorControl(ConnectApi connect, ConnectorRegistration registration, Duration settle) {
        this.connect = connect;
        this.registration = registration;
        this.settle = settle;
    }

    /** {@code POST /api/connector/pause[?reason=...]}. */
    void pause(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String reason = in.getHeader("reason", String.class);
        if (reason != null && reason.length() > MAX_REASON) {
            ApiReplies.reply(exchange, 400, Map.of("error", "reason has " + reason.length() + " characters; at most "
                    + MAX_REASON + " are kept with a pause"));
            return;
        }
        PauseNote before = registration.pauseNote();
        PauseNote note = new PauseNote(caller(in), Instant.now(), reason == null || reason.isBlank() ? null : reason.strip());
        // noted first: the registration's next look at the status may already read PAUSED
        registration.notePause(note);
        ConnectAnswer answer;
        try {
            answer = connect.pause();
        } catch (Exception e) {
            registration.notePause(before); // never taken
            throw e;
        }
        if (!answer.is(200, 202, 204)) {
            registration.notePause(before);
            refused(exchange, "pause", answer);
            return;
        }
        LOG.info("Connector {} paused through the API by {}", connect.connectorName(), note.describe());
        settled(exchange, "pause", null, s -> "PAUSED".equals(connectorState(s)) && allTasks(s, "PAUSED"));
    }

    /** {@code POST /api/connector/resume}. */
    void resume(Exchange exchange) throws Exception {
        ConnectAnswer answer = connect.resume();
        if (!answer.is(200, 202, 204)) {
            refused(exchange, "resume", answer);
            return;
        }
        registration.noteResume();
        LOG.info("Connector {} resumed through the API by {}", connect.connectorName(), caller(exchange.getMessage()));
        settled(exchange, "resume", null, s -> "RUNNING".equals(connectorState(s)) && allTasks(s, "RUNNING")
                && s.path("tasks").size() > 0);
    }

    /**
     * {@code POST /api/connector/restart?includeTasks=&onlyFailed=}: Connect's own parameters and defaults (both
     * false: the connector instance alone); the answer names the parts Connect restarted.
     */
    void restart(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        Boolean includeTasks = flag(exchange, "includeTasks");
        Boolean onlyFailed = includeTasks == null ? null : flag(exchange, "onlyFailed");
        if (onlyFailed == null) {
            return;
        }
        ConnectAnswer answer = connect.restart(includeTasks, onlyFailed);
        if (!answer.is(200, 202, 204)) {
            refused(exchange, "restart", answer);
            return;
        }
        ArrayNode restarted = ConnectAnswer.MAPPER.createArrayNode();
        if (answer.is(204)) {
            restarted.add("connector"); // Connect's old form: the connector instance, no status in the answer
        } else {
            JsonNode plan = tree(answer.body());
            if (MOVING.contains(plan.path("connector").path("state").asText())) {
                restarted.add("connector");
            }
            for (JsonNode task : plan.path("tasks")) {
                if (MOVING.contains(task.path("state").asText())) {
                    restarted.add("task " + task.path("id").asInt());
                }
            }
        }
        LOG.info("Connector {} restarted through the API by {} (includeTasks={}, onlyFailed={}): {}", connect.connectorName(),
                caller(in), includeTasks, onlyFailed, restarted.isEmpty() ? "nothing to restart" : restarted);
        ObjectNode extra = ConnectAnswer.MAPPER.createObjectNode();
        extra.put("includeTasks", includeTasks);
        extra.put("onlyFailed", onlyFailed);
        extra.set("restarted", restarted);
        if (!restarted.isEmpty()) {
            awaitMoving();
        }
        settled(exchange, "restart", extra, s -> !MOVING.contains(connectorState(s))
                && !"UNKNOWN".equals(connectorState(s)) && noTask(s, MOVING));
    }

    /**
     * Connect answers a restart with its plan before its status store shows it: the status read right
     * after may still be the parts' state from before the restart. So first, for up to
     * {@link #SEE_RESTART}, wait to see a part RESTARTING (a restart seen through finishes in the
     * status, not before it); a restart quicker than the polls is then taken as done.
     */
    private void awaitMoving() throws Exception {
        long deadline = System.nanoTime() + SEE_RESTART.toNanos();
        while (System.nanoTime() < deadline) {
            ConnectAnswer answer = connect.status();
            if (answer.is(200)) {
                JsonNode s = tree(answer.body());
                if (MOVING.contains(connectorState(s)) || !noTask(s, MOVING)) {
                    return;
                }
            }
            Thread.sleep(POLL_MS / 4);
        }
    }

    /** Reads Connect's status until {@code reached}, then answers 200 with it; 202 with the last one read after {@link #SETTLE}. */
    private void settled(Exchange exchange, String action, ObjectNode extra, Predicate<JsonNode> reached) throws Exception {
        long deadline = System.nanoTime() + settle.toNanos();
        JsonNode status;
        boolean done;
        while (true) {
            ConnectAnswer answer = connect.status();
            status = answer.is(200) ? tree(answer.body()) : ConnectAnswer.MAPPER.createObjectNode();
            done = answer.is(200) && reached.test(status);
            if (done || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(POLL_MS); // Connect moves parts on its herder thread: its status is the only signal
        }
        ObjectNode reply = ConnectAnswer.MAPPER.createObjectNode();
        reply.put("connector", connect.connectorName());
        reply.put("action", action);
        if (extra != null) {
            reply.setAll(extra);
        }
        reply.put("settled", done);
        reply.put("state", connectorState(status));
        ArrayNode tasks = reply.putArray("tasks");
        for (JsonNode task : status.path("tasks")) {
            ObjectNode t = tasks.addObject();
            t.put("id", task.path("id").asInt());
            t.put("state", task.path("state").asText("UNKNOWN"));
            if (task.hasNonNull("trace")) {
                t.put("trace", String.join("\n", task.path("trace").asText().lines().limit(3).toList()));
            }
        }
        PauseNote note = registration.pauseNote();
        if (note != null && "PAUSED".equals(connectorState(status))) {
            ObjectNode paused = reply.putObject("pausedBy");
            paused.put("by", note.by());
            paused.put("at", note.at().toString());
            paused.put("reason", note.reason());
        }
        if (!done) {
            reply.put("message", "Kafka Connect accepted the " + action + " but its status did not show the result within "
                    + settle.toSeconds() + " s; GET /api/connector shows how it goes on");
            LOG.warn("Connector {}: {} accepted, not settled within {} s (connector {})", connect.connectorName(), action,
                    settle.toSeconds(), connectorState(status));
        }
        ApiReplies.reply(exchange, done ? 200 : 202, reply);
    }

    /** Connect refused or failed the call: 404 and 409 as Connect said them, anything else 502, with Connect's message. */
    private void refused(Exchange exchange, String action, ConnectAnswer answer) {
        String message = answer.errorMessage();
        int status = answer.is(404) ? 404 : answer.is(409) ? 409 : 502;
        String hint = answer.is(404) ? " (not registered yet: GET /api/connector shows the registration)"
                : answer.is(409) ? " (Kafka Connect is rebalancing: try again in a few seconds)"
                : answer.is(401, 403) ? " (the app's Connect token, cdc.connect.token, is not the worker's)" : "";
        LOG.warn("Connector {}: Kafka Connect answered {} to the {}: {}", connect.connectorName(), answer.status(), action,
                message);
        ApiReplies.reply(exchange, status, Map.of("error", "Kafka Connect answered " + answer.status() + " to the " + action
                + " of " + connect.connectorName() + ": " + message + hint));
    }

    /** A query flag as Connect reads it: absent is false; anything but true or false is a 400. */
    private static Boolean flag(Exchange exchange, String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        if (value == null || value.isEmpty() || "false".equalsIgnoreCase(value)) {
            return false;
        }
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        ApiReplies.reply(exchange, 400, Map.of("error", name + " must be true or false, not '" + value + "'"));
        return null;
    }

    /** Who asks: a bearer token (curl, scripts) or the live page (its cookie), with the client's address. */
    static String caller(Message in) {
        Object remote = in.getHeader(REMOTE_ADDRESS);
        String address = remote == null ? "" : " from " + String.valueOf(remote).replaceFirst(":\\d+$", "");
        String authorization = in.getHeader("Authorization", String.class);
        return (authorization != null ? "the API token (Authorization: Bearer)" : "the live page") + address;
    }

    private static String connectorState(JsonNode status) {
        return status.path("connector").path("state").asText("UNKNOWN");
    }

    private static boolean allTasks(JsonNode status, String state) {
        for (JsonNode task : status.path("tasks")) {
            if (!state.equals(task.path("state").asText())) {
                return false;
            }
        }
        return true;
    }

    private static boolean noTask(JsonNode status, Set<String> states) {
        for (JsonNode task : status.path("tasks")) {
            if (states.contains(task.path("state").asText())) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode tree(String body) {
        try {
            return body == null || body.isBlank() ? ConnectAnswer.MAPPER.createObjectNode() : ConnectAnswer.MAPPER.readTree(body);
        } catch (IOException e) {
            return ConnectAnswer.MAPPER.createObjectNode();
        }
    }
}
