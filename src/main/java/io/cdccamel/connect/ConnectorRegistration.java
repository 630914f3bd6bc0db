package io.cdccamel.connect;

import io.cdccamel.base.Published;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What route {@code register-connector} makes of Kafka Connect's answers, and what it should do
 * next: create, update, restart, retry with backoff, or stop asking. Connect's error message is
 * quoted when it refuses; a config value is never logged.
 */
@Published
public class ConnectorRegistration {

    /** The connector setting by which Connect refuses a connector on a worker without exactly-once. */
    static final String EXACTLY_ONCE_SUPPORT = "exactly.once.support";
    static final String EXACTLY_ONCE_HINT = "this Kafka Connect worker does not run with exactly-once source support: "
            + "set exactly.once.source.support=enabled on every worker of its cluster (KIP-618); the connector requires "
            + "it (exactly.once.support=required) rather than stream with re-sends after a worker crash";

    /** Where registration stands. */
    public enum State {
        STARTING, WAITING_FOR_CONNECT, UNREACHABLE, NOT_REGISTERED, REGISTERED_ELSEWHERE, INVALID, CONFLICT, CONNECT_ERROR, REJECTED,
        REGISTERED, RUNNING, NOT_RUNNING, FAILED, GAVE_UP,
        /** Paused on purpose (this app's API, or Connect's own): not a failure, and nothing here resumes or restarts it. */
        PAUSED
    }

    /** A note older than this is dropped once Connect no longer reads PAUSED (resumed elsewhere). */
    static final java.time.Duration PAUSE_SETTLES = java.time.Duration.ofSeconds(60);

    /** States whose own message says what happens next: a missing connector then says nothing new. */
    private static final Set<State> REPORTED = Set.of(State.CONFLICT, State.CONNECT_ERROR, State.REJECTED, State.INVALID,
            State.REGISTERED_ELSEWHERE);

    private final ConnectorDefinition definition;
    private final Runnable onFirstRunning;
    private final int maxRestarts;
    private final Backoff backoff;
    private final RegistrationState state = new RegistrationState();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger updated = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile boolean connectReady;
    /** The {@link ConnectorDefinition#revision()} Connect was last seen to run. */
    private volatile long runsRevision;
    /**
     * How long after a PUT of the config the connector counts as running it. Connect answers the PUT
     * and reports the task RUNNING before it has restarted the task with the new config: a blocking
     * snapshot signalled in that moment was read by the old task, which Connect then stopped, and the
     * snapshot was lost (CaptureIT: the task restarted 100 ms after the RUNNING the signal waited for;
     * GeneratedColumnsIT: the old task read the request 2-3 s after the PUT, at loads of 35-68 on 2 cores).
     */
    static final long CONFIG_SETTLES_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    /** {@link System#nanoTime()} of the last PUT Connect took; null before any. */
    private volatile Long putAt;
    private boolean announced;
    private volatile PauseNote pause;

    public ConnectorRegistration(ConnectorDefinition definition, Runnable onFirstRunning, int maxRestarts,
                                 long backoffMaxMillis) {
        this.definition = definition;
        this.onFirstRunning = onFirstRunning;
        this.maxRestarts = maxRestarts;
        this.backoff = new Backoff(backoffMaxMillis);
    }

    public State state() {
        return state.state();
    }

    /** The last thing logged: what the health check and {@code /api/connector} show. */
    public String lastMessage() {
        return state.message();
    }

    /** Readiness: the connector and all its tasks run. */
    public boolean isHealthy() {
        return state() == State.RUNNING;
    }

    /** Connect reads the connector PAUSED: a deliberate state, which the health check does not count as a failure. */
    public boolean isPaused() {
        return state() == State.PAUSED;
    }

    /** Who paused the connector through this app's API, or null (not paused, or paused elsewhere). */
    public PauseNote pauseNote() {
        return pause;
    }

    /** Called before this app's API asks Connect to pause the connector: the status then names who paused it. */
    public void notePause(PauseNote note) {
        pause = note;
    }

    /** Called when this app's API resumes the connector. */
    public void noteResume() {
        pause = null;
    }

    /**
     * The connector runs, with the settings the app last derived ({@link ConnectorDefinition#derive}):
     * a snapshot asked for now is read with them.
     */
    public boolean runsCurrentConfig() {
        Long put = putAt;
        return isHealthy() && runsRevision == definition.revision()
                && (put == null || System.nanoTime() - put >= CONFIG_SETTLES_NANOS);
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

    /** The config this app validates and applies, as {@code PUT /connectors/<name>/config} takes it. */
    public String configJson() {
        return definition.configJson();
    }

    /**
     * False while backing off after a failure, and for good once Connect refused the connector
     * (a 4xx other than 404 and 409): repeating the same request cannot help.
     */
    public boolean shouldAttempt() {
        return state() != State.REJECTED && backoff.due();
    }

    public boolean isConnectReady() {
        return connectReady;
    }

    /** The answer to {@code GET /connector-plugins}: ready once it lists the connector's class. */
    public synchronized void onPlugins(ConnectAnswer answer) {
        String connectorClass = definition.config("connector.class");
        if (answer.is(200) && answer.plugins().stream().anyMatch(p -> connectorClass.equals(p.className()))) {
            connectReady = true;
            backoff.reset();
            state.say("Kafka Connect is ready: it lists " + connectorClass);
        } else {
            state.move(State.WAITING_FOR_CONNECT, "Waiting for Kafka Connect to list " + connectorClass
                    + " in GET /connector-plugins (answer " + answer.status() + ")");
            backoff.failed();
        }
    }

    /** Any call that got no answer at all (refused, timed out): retried on a later tick. */
    public synchronized void onUnreachable(Exception e) {
        state.move(State.UNREACHABLE, "Kafka Connect is not reachable (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + "); retrying with backoff");
        connectReady = false;
        backoff.failed();
    }

    public synchronized void onMissing() {
        if (!REPORTED.contains(state())) {
            state.move(State.NOT_REGISTERED, "Connector " + definition.name()
                    + " is not registered; validating and registering it");
        }
    }

    /** Another instance won the right to create the connector: wait for it to appear. */
    public synchronized void onClaimedElsewhere() {
        state.move(State.REGISTERED_ELSEWHERE, "Another instance is registering connector " + definition.name()
                + "; waiting for it to appear");
    }

    /** @return true when Connect's validation found no error, so the connector may be posted */
    public synchronized boolean onValidation(ConnectAnswer answer) {
        if (!answer.is(200)) {
            state.move(answer.is(409) ? State.CONFLICT : State.CONNECT_ERROR, "Kafka Connect answered " + answer.status()
                    + " to the validation of " + definition.name() + " (" + answer.errorMessage() + "); retrying");
            backoff.failed();
            return false;
        }
        List<String> errors = answer.validationErrors();
        if (errors.isEmpty()) {
            return true;
        }
        boolean exactlyOnce = errors.stream().anyMatch(e -> e.startsWith(EXACTLY_ONCE_SUPPORT + ":"));
        state.moveError(State.INVALID, "Kafka Connect finds connector " + definition.name() + " invalid; not posting it ("
                + errors.size() + " error(s)):\n  " + String.join("\n  ", errors)
                + (exactlyOnce ? "\n  -> " + EXACTLY_ONCE_HINT : ""));
        backoff.failed();
        return false;
    }

    /** The answer to {@code POST /connectors}. */
    public synchronized void onPostAnswer(ConnectAnswer answer) {
        if (answer.is(201, 200)) {
            created.incrementAndGet();
            backoff.reset();
            state.move(State.REGISTERED, "Connector " + definition.name() + " registered");
        } else {
            onFailedCall("POST /connectors", answer);
        }
    }

    /** @return true when the connector of {@code GET /connectors/<name>} runs another config than the file's */
    public synchronized boolean hasDrifted(ConnectAnswer answer) {
        Optional<ConnectorInfo> info = answer.connectorInfo();
        if (info.isEmpty()) {
            return false;
        }
        Map<String, String> actual = info.get().config() == null ? Map.of() : info.get().config();
        long revision = definition.revision(); // read first: a change meanwhile shows as drift on the next tick
        Set<String> changed = ConfigDrift.changedKeys(definition.configNode(), actual);
        if (changed.isEmpty()) {
            runsRevision = revision;
        }
        if (!changed.isEmpty()) {
            state.say("Connector " + definition.name() + " differs from " + definition.origin() + " in " + changed
                    + "; applying the file with PUT /connectors/" + definition.name() + "/config");
        }
        return !changed.isEmpty();
    }

    /** The answer to {@code PUT /connectors/<name>/config}. */
    public synchronized void onPutAnswer(ConnectAnswer answer) {
        if (answer.is(200, 201)) {
            updated.incrementAndGet();
            putAt = System.nanoTime();
            backoff.reset();
            state.say("Connector " + definition.name() + " now runs the config of " + definition.origin());
        } else {
            onFailedCall("PUT /connectors/" + definition.name() + "/config", answer);
        }
    }

    /** @return true when a failed connector or task should be restarted now */
    public synchronized boolean onStatus(ConnectAnswer answer) {
        StatusSummary status = StatusSummary.of(definition.name(), answer.stateInfo());
        PauseNote note = pause;
        if (status.paused()) {
            // a user's pause: no restart of failed parts, no resume; it stays until someone resumes it
            restarts.set(0);
            backoff.reset();
            state.move(State.PAUSED, status.line() + ": paused by " + (note == null
                    ? "someone outside this app (Kafka Connect's REST API, or before this app started)" : note.describe())
                    + "; resume with POST /api/connector/resume or the live page's Resume button");
            return false;
        }
        if (note != null && note.at().plus(PAUSE_SETTLES).isBefore(java.time.Instant.now())) {
            pause = null; // resumed outside this app (Connect reads the pause within a second of the request)
        }
        if (status.allRunning()) {
            restarts.set(0);
            backoff.reset();
            state.move(State.RUNNING, status.line());
            if (!announced) {
                announced = true;
                onFirstRunning.run();
            }
            return false;
        }
        if (!status.anyFailed()) {
            state.move(State.NOT_RUNNING, status.line());
            return false;
        }
        if (restarts.get() >= maxRestarts) {
            state.moveError(State.GAVE_UP, status.line() + "; gave up after " + maxRestarts
                    + " restarts (cdc.connect.max-restarts): fix the cause, then restart the connector" + status.tracesBelow());
            return false;
        }
        state.moveError(State.FAILED, status.line() + "; restarting the failed parts (restart " + (restarts.get() + 1)
                + " of " + maxRestarts + ")" + status.tracesBelow());
        restarts.incrementAndGet();
        backoff.failed();
        return true;
    }

    /** The answer to {@code POST /connectors/<name>/restart?includeTasks=true&onlyFailed=true}. */
    public synchronized void onRestartAnswer(ConnectAnswer answer) {
        if (answer.is(202, 204, 200)) {
            state.say("Kafka Connect accepted the restart of " + definition.name() + "'s failed parts (" + answer.status() + ")");
        } else {
            onFailedCall("POST /connectors/" + definition.name() + "/restart", answer);
        }
    }

    /** Any answer to {@code GET /connectors/<name>} other than 200 and 404. */
    public synchronized void onUnexpected(ConnectAnswer answer) {
        onFailedCall("GET /connectors/" + definition.name(), answer);
    }

    /** 409 and 5xx are passing and retried with backoff; other 4xx are Connect refusing: quoted, final. */
    private void onFailedCall(String call, ConnectAnswer answer) {
        String message = answer.errorMessage();
        if (answer.is(409)) {
            state.move(State.CONFLICT, "Kafka Connect answered 409 to " + call + " (" + message
                    + "): it is rebalancing or another instance acted first; checking again");
        } else if (answer.status() >= 500) {
            state.move(State.CONNECT_ERROR, "Kafka Connect answered " + answer.status() + " to " + call + " ("
                    + message + "); retrying with backoff");
        } else {
            state.moveError(State.REJECTED, "Kafka Connect rejected " + call + " with " + answer.status() + ": " + message
                    + (message.contains(EXACTLY_ONCE_SUPPORT) ? " -- " + EXACTLY_ONCE_HINT + ";" : "")
                    + " -- fix " + definition.origin() + " and restart; no further attempts");
        }
        backoff.failed();
    }
}
