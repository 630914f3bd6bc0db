package io.cdccamel.it;

import io.cdccamel.events.OutputFormat;
import io.cdccamel.it.OutputEntries.Entry;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SplitDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A step a user adds to the YAML route that throws on one row's change event, on the real pipeline:
 * camel-kafka fetches the failing batch again ({@code breakOnFirstError}), the route then looks for
 * the record a part of the batch at a time (parts written and committed, the rest held back and
 * fetched again through camel-kafka's reconnection), and in the end that one record is a dead letter
 * with the step's error while every other row of its batch is written once; every offset is committed,
 * the health check is UP again, the metrics count it.
 */
@ExtendWith(EmbeddedStackExtension.class)
class StepFailuresIT {

    private static final String SCHEMA = "it_step_failures";
    private static final String CONNECTOR = "step_failures_connector";
    private static final String INSTANCE = "step-failures";
    private static final int ROWS = 2_000;
    /** No other id of the {@value #ROWS} starts with its digits (the step matches "id=1234"). */
    private static final int POISON = 1_234;

    /** A user's step: each record of the batch looked at, and an error for the one row it cannot handle. */
    static final String THROWING_STEP = """
                    - split:
                        expression:
                          simple:
                            expression: "${body}"
                        stopOnException: true
                        steps:
                          - filter:
                              expression:
                                simple:
                                  expression: "${header.CamelDebeziumKey} contains 'id=%d'"
                              steps:
                                - throwException:
                                    exceptionType: java.lang.IllegalStateException
                                    message: "cannot handle this row"
            """.formatted(POISON);

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** The rows' events: inserts, or snapshot reads when the rows came before the connector's first snapshot ended. */
    private static int inserts(Path file) {
        return OutputEntries.countOp(file, "c") + OutputEntries.countOp(file, "r");
    }

    private static boolean hasTheStep(TestApp app) {
        RouteDefinition definition = ((ModelCamelContext) app.camel()).getRouteDefinition("print-change-events");
        return definition != null && definition.getOutputs().stream().anyMatch(o -> o instanceof SplitDefinition);
    }

    @Test
    void shouldDeadLetterOnlyTheRecordAStepThrowsOnAndWriteEveryOtherRowOnce() throws Exception {
        Db.createProductTable(SCHEMA);
        TestApp app = apps.start(SCHEMA, CONNECTOR, INSTANCE);
        Path file = app.outputFile();
        Path yaml = app.routesDir.resolve("print-change-events.camel.yaml");

        // the step, as a user adds it: pasted among "your steps", saved in place, reloaded
        Route before = app.camel().getRoute("print-change-events");
        String shipped = Files.readString(yaml);
        String marker = "        # ---- end of your steps";
        assertThat(shipped).contains(marker);
        Files.writeString(yaml, shipped.replace(marker, THROWING_STEP.stripTrailing().indent(0) + marker));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Route now = app.camel().getRoute("print-change-events");
            return now != null && now != before && hasTheStep(app)
                    && app.camel().getRouteController().getRouteStatus("print-change-events") == ServiceStatus.Started;
        });

        long started = System.nanoTime();
        Db.exec("INSERT INTO " + SCHEMA + ".product SELECT g, 'row ' || g FROM generate_series(1, " + ROWS + ") g");
        Path deadLetters = app.outputDir.resolve(OutputFormat.DEAD_LETTER_FILE);
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .until(() -> inserts(file) >= ROWS - 1 && Files.exists(deadLetters));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        GroupOffsets.awaitCommittedToTheEnd("group-" + INSTANCE);

        List<Entry> entries = OutputEntries.read(file);
        List<Integer> written = entries.stream().filter(e -> "c".equals(e.op()) || "r".equals(e.op())).map(e -> e.row().path("id").asInt()).toList();
        assertThat(written).as("every other row written once").doesNotHaveDuplicates().hasSize(ROWS - 1);
        assertThat(Set.copyOf(written)).isEqualTo(IntStream.rangeClosed(1, ROWS).filter(id -> id != POISON).boxed()
                .collect(Collectors.toSet()));
        assertThat(entries).as("nothing but the inserts").hasSize(ROWS - 1);
        List<String> letters = Files.readAllLines(deadLetters);
        assertThat(letters).as("only the row the step throws on").hasSize(1);
        assertThat(letters.get(0)).startsWith("Dead letter on [ Topic: ").contains("reason: the route's steps failed on this record: "
                + "its batch 3 times and the record alone 3 times: IllegalStateException: cannot handle this row")
                .contains("\\\"id\\\":" + POISON + ",");

        assertThat(app.metric("cdc_route_step_dead_letters_total")).isEqualTo(1);
        long failedAttempts = app.metric("cdc_route_step_failures_total");
        assertThat(failedAttempts).as("3 of the batch, the search's failed parts, 3 of the record alone").isGreaterThanOrEqualTo(6);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(HealthCheckHelper.invoke(app.camel()).stream()
                .filter(r -> r.getCheck().getId().equals("route-steps")).findFirst().orElseThrow().getState())
                .isEqualTo(HealthCheck.State.UP));
        System.out.printf("STEP FAILURES FIGURES: %d rows, the one a step throws on found and dead-lettered, the others written, "
                + "in %d ms; %d failed attempts%n", ROWS, tookMs, failedAttempts);
    }
}
