package io.cdccamel.connect;

import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Connect's status of the connector as route {@code register-connector} acts on it: one line
 * ("Connector x is RUNNING (task 0 RUNNING)"), whether all of it runs, is paused or any part failed, and the
 * first lines of each failed part's trace.
 */
record StatusSummary(String line, boolean allRunning, boolean anyFailed, boolean paused, List<String> traces) {

    static final String PAUSED = "PAUSED";
    private static final String RUNNING = "RUNNING";
    private static final String FAILED = "FAILED";
    private static final String UNKNOWN = "UNKNOWN";

    /** An answer that is not a status reads as UNKNOWN with no task: neither running nor failed. */
    static StatusSummary of(String name, Optional<ConnectorStateInfo> info) {
        ConnectorStateInfo.ConnectorState connector = info.map(ConnectorStateInfo::connector).orElse(null);
        List<ConnectorStateInfo.TaskState> tasks = info.map(ConnectorStateInfo::tasks).orElse(List.of());
        String connectorState = connector == null ? UNKNOWN : stateOf(connector);
        boolean allRunning = RUNNING.equals(connectorState) && !tasks.isEmpty();
        boolean anyFailed = FAILED.equals(connectorState);
        List<String> traces = new ArrayList<>();
        if (connector != null && connector.trace() != null) {
            traces.add("connector: " + firstLines(connector.trace()));
        }
        List<String> taskStates = new ArrayList<>();
        for (ConnectorStateInfo.TaskState task : tasks) {
            allRunning &= RUNNING.equals(stateOf(task));
            anyFailed |= FAILED.equals(stateOf(task));
            taskStates.add("task " + task.id() + " " + stateOf(task));
            if (task.trace() != null) {
                traces.add("task " + task.id() + ": " + firstLines(task.trace()));
            }
        }
        String line = "Connector " + name + " is " + connectorState
                + (taskStates.isEmpty() ? " (no task yet)" : " (" + String.join(", ", taskStates) + ")");
        // Connect's target state: the connector reads PAUSED as soon as it is paused, its tasks follow
        return new StatusSummary(line, allRunning, anyFailed, PAUSED.equals(connectorState), traces);
    }

    /** The traces, one per line under the message; empty when there are none. */
    String tracesBelow() {
        return traces.isEmpty() ? "" : "\n  " + String.join("\n  ", traces);
    }

    private static String stateOf(ConnectorStateInfo.AbstractState part) {
        return part.state() == null ? UNKNOWN : part.state();
    }

    private static String firstLines(String trace) {
        return String.join(" | ", trace.lines().limit(3).toList()).trim();
    }
}
