package io.cdccamel.connect;

import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.PluginInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Connect's answers, as a 4.3 worker writes them, read through its own REST entities. */
class ConnectAnswerTest {

    private static final String CLASS = "io.debezium.connector.postgresql.PostgresConnector";

    @Test
    void shouldReadThePluginsAWorkerLists() {
        ConnectAnswer answer = new ConnectAnswer(200, "[{\"class\":\"" + CLASS + "\",\"type\":\"source\",\"version\":\"3.6.1.Final\"},"
                + "{\"class\":\"org.apache.kafka.connect.mirror.MirrorSourceConnector\",\"type\":\"source\",\"version\":\"4.3.1\"}]");

        assertThat(answer.plugins()).extracting(PluginInfo::className)
                .containsExactly(CLASS, "org.apache.kafka.connect.mirror.MirrorSourceConnector");
        assertThat(new ConnectAnswer(200, "<html>proxy</html>").plugins()).isEmpty();
    }

    @Test
    void shouldReadTheStatusWithFieldsOfANewerWorker() {
        ConnectAnswer answer = new ConnectAnswer(200, "{\"name\":\"product_connector\",\"connector\":{\"state\":\"RUNNING\","
                + "\"worker_id\":\"localhost:8083\",\"version\":\"3.6.1.Final\"},\"tasks\":[{\"id\":0,\"state\":\"FAILED\","
                + "\"worker_id\":\"localhost:8083\",\"trace\":\"boom\\n\\tat x\",\"version\":\"3.6.1.Final\"}],\"type\":\"source\","
                + "\"added_in_a_later_kafka\":true}");

        ConnectorStateInfo status = answer.stateInfo().orElseThrow();
        assertThat(status.connector().state()).isEqualTo("RUNNING");
        assertThat(status.tasks()).singleElement().satisfies(task -> {
            assertThat(task.id()).isZero();
            assertThat(task.state()).isEqualTo("FAILED");
            assertThat(task.trace()).startsWith("boom");
        });
        StatusSummary summary = StatusSummary.of("product_connector", answer.stateInfo());
        assertThat(summary.line()).isEqualTo("Connector product_connector is RUNNING (task 0 FAILED)");
        assertThat(summary.anyFailed()).isTrue();
        assertThat(summary.allRunning()).isFalse();
        assertThat(summary.traces()).containsExactly("task 0: boom | \tat x");
    }

    @Test
    void shouldReadTheConfigOfARegisteredConnector() {
        ConnectAnswer answer = new ConnectAnswer(200, "{\"name\":\"product_connector\",\"config\":{\"connector.class\":\""
                + CLASS + "\",\"name\":\"product_connector\"},\"tasks\":[{\"connector\":\"product_connector\",\"task\":0}],"
                + "\"type\":\"source\"}");

        assertThat(answer.connectorInfo()).map(ConnectorInfo::config).hasValueSatisfying(config ->
                assertThat(config).containsEntry("connector.class", CLASS).containsEntry("name", "product_connector"));
    }

    @Test
    void shouldNameEachValidationErrorByItsKey() {
        ConnectAnswer answer = new ConnectAnswer(200, "{\"name\":\"" + CLASS + "\",\"error_count\":1,\"groups\":[\"Common\"],"
                + "\"configs\":[{\"definition\":{\"name\":\"exactly.once.support\",\"type\":\"STRING\",\"required\":false,"
                + "\"default_value\":\"requested\",\"importance\":\"MEDIUM\",\"documentation\":\"...\",\"group\":\"Exactly Once Support\","
                + "\"width\":\"SHORT\",\"display_name\":\"Exactly once support\",\"dependents\":[],\"order\":1},"
                + "\"value\":{\"name\":\"exactly.once.support\",\"value\":\"required\",\"recommended_values\":[\"requested\",\"required\"],"
                + "\"errors\":[\"This worker does not have exactly-once source support enabled.\"],\"visible\":true}},"
                + "{\"definition\":null,\"value\":{\"name\":\"database.port\",\"value\":\"5432\",\"recommended_values\":[],"
                + "\"errors\":[],\"visible\":true}}]}");

        assertThat(answer.validationErrors())
                .containsExactly("exactly.once.support: This worker does not have exactly-once source support enabled.");
        assertThat(new ConnectAnswer(200, "{\"name\":\"c\",\"error_count\":0,\"groups\":[],\"configs\":[]}").validationErrors()).isEmpty();
    }

    @Test
    void shouldNeverTakeAnUnreadableOrUnexplainedValidationForACleanOne() {
        assertThat(new ConnectAnswer(200, "{\"name\":\"c\",\"error_count\":2,\"groups\":[],\"configs\":[]}").validationErrors())
                .containsExactly("2 error(s) without details: {\"name\":\"c\",\"error_count\":2,\"groups\":[],\"configs\":[]}");
        assertThat(new ConnectAnswer(200, "Bad Gateway").validationErrors()).containsExactly("validation answer is not JSON: Bad Gateway");
    }

    @Test
    void shouldQuoteConnectsErrorMessageElseTheBody() {
        assertThat(new ConnectAnswer(404, "{\"error_code\":404,\"message\":\"Connector product_connector not found\"}").errorMessage())
                .isEqualTo("Connector product_connector not found");
        assertThat(new ConnectAnswer(502, "Bad Gateway").errorMessage()).isEqualTo("Bad Gateway");
        assertThat(new ConnectAnswer(500, "").errorMessage()).isEqualTo("no body");
        assertThat(new ConnectAnswer(500, "x".repeat(3000)).errorMessage()).hasSize(2003).endsWith("...");
    }
}
