package io.cdccamel.connect;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/** The body of {@code GET /api/connector}: Connect's status answer (or its error) with this app's view. */
public final class StatusReport {

    private final String name;
    private final ConnectorRegistration registration;

    public StatusReport(String name, ConnectorRegistration registration) {
        this.name = name;
        this.registration = registration;
    }

    /** The API's status code: 503 unless Connect answered with the status, so that a probe sees it. */
    public static int httpStatus(ConnectAnswer answer) {
        return answer.is(200) ? 200 : 503;
    }

    /**
     * Connect's status is quoted as it came, not re-written from the entity: a newer worker's fields
     * stay. A 200 answer stays a tree for the API's JSON binding; a 503 is written here, as the
     * binding leaves error answers alone.
     */
    public Object render(ConnectAnswer answer) {
        ObjectNode report = ConnectAnswer.MAPPER.createObjectNode();
        report.put("name", name);
        report.put("registration", registration.state().name());
        report.put("lastMessage", registration.lastMessage());
        report.put("restarts", registration.restartCount());
        PauseNote note = registration.pauseNote();
        if (note != null) {
            ObjectNode paused = report.putObject("pausedBy");
            paused.put("by", note.by());
            paused.put("at", note.at().toString());
            paused.put("reason", note.reason());
        }
        if (answer.is(200)) {
            try {
                report.set("status", ConnectAnswer.MAPPER.readTree(answer.body()));
            } catch (IOException e) {
                report.put("error", "Kafka Connect answered 200 with a body that is not JSON: " + answer.body());
            }
        } else {
            report.put("error", "Kafka Connect answered " + answer.status() + ": " + answer.errorMessage());
        }
        return answer.is(200) ? report : report.toPrettyString() + "\n";
    }
}
