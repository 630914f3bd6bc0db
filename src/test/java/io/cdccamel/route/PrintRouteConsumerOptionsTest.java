package io.cdccamel.route;

import io.cdccamel.CdcApplication;
import io.cdccamel.stack.Ports;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.PollOnError;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.main.Main;
import org.apache.camel.support.ResourceReloadStrategySupport;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options of {@code routes/print-change-events.camel.yaml}'s Kafka consumer, as users edit them:
 * the app with its own configuration classes and the route file, edited, in a folder of the test's
 * own (external mode, nothing to reach; the routes are built but not started, so no consumer connects).
 */
class PrintRouteConsumerOptionsTest {

    private static final Path SHIPPED = Path.of("routes", "print-change-events.camel.yaml");
    private static final String FILE = "print-change-events.camel.yaml";
    private static final UnaryOperator<String> NO_EDIT = yaml -> yaml;

    @TempDir
    Path dir;

    private Main app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    /** Starts the app on the shipped route file, edited; returns what stopped the start, or null. */
    private Throwable start(UnaryOperator<String> edit) throws Exception {
        return start(edit, false);
    }

    private Throwable start(UnaryOperator<String> edit, boolean reload) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        String yaml = Files.readString(SHIPPED);
        String edited = edit.apply(yaml);
        assertThat(edit == NO_EDIT || !edited.equals(yaml)).as("the edit applies to the shipped file").isTrue();
        Files.writeString(routes.resolve(FILE), edited);
        app = new Main();
        CdcApplication.addConfigurations(app.configure());
        Map.ofEntries(
                Map.entry("cdc.mode", "external"),
                Map.entry("cdc.output.dir", dir.resolve("output").toString()),
                Map.entry("cdc.search.enabled", "false"),
                Map.entry("cdc.kafka.brokers", "localhost:1"),
                // what the app derives from the connector's include lists when it starts
                Map.entry("cdc.topics", "postgres.debezium.product"),
                Map.entry("cdc.topics.pattern", "false"),
                Map.entry("cdc.postgres.port", "1"),
                Map.entry("cdc.api.port", Integer.toString(Ports.freePort())),
                Map.entry("cdc.api.token-file", dir.resolve("api-token").toString()),
                Map.entry("cdc.dead-letter.endpoint", "log:dead-letters"),
                Map.entry("cdc.consumer.lost-offsets-check.ms", "0"),
                Map.entry("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml"),
                Map.entry("camel.main.routes-reload-enabled", Boolean.toString(reload)),
                Map.entry("camel.main.routes-reload-directory", routes.toString()),
                Map.entry("camel.main.routes-reload-pattern", "*.camel.yaml"),
                Map.entry("camel.main.routes-reload-remove-all-routes", "false"),
                // built and checked, not started: no consumer tries to reach Kafka
                Map.entry("camel.main.auto-startup", "false"),
                Map.entry("camel.main.route-filter-exclude-pattern", "register-connector"))
                .forEach(app::addOverrideProperty);
        try {
            app.start();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    /** The one line the app prints for a start that failed (CdcApplication.reason): the checked one's message. */
    private static String oneLine(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof io.cdccamel.base.StackStartException) {
                return c.getMessage();
            }
        }
        throw new AssertionError("not stopped by the check", e);
    }

    /** The route file as the app names it: where it was loaded from. */
    private String file() {
        return dir.resolve("routes").resolve(FILE).toString();
    }

    private KafkaEndpoint consumer() {
        return (KafkaEndpoint) app.getCamelContext().getRoute("print-change-events").getEndpoint();
    }

    @Test
    void shouldStartWithTheShippedConsumerOptions() throws Exception {
        assertThat(start(NO_EDIT)).isNull();

        KafkaEndpoint consumer = consumer();
        assertThat(consumer.getConfiguration().isBatching()).isTrue();
        assertThat(consumer.getConfiguration().isAutoCommitEnable()).isFalse();
        assertThat(consumer.getConfiguration().getIsolationLevel()).isEqualTo("read_committed");
        assertThat(consumer.getConfiguration().getMaxPollRecords()).isEqualTo(500);
        assertThat(consumer.getConfiguration().getAdditionalProperties()).containsEntry("allow.auto.create.topics", "false");
    }

    @Test
    void shouldNotStartWhenTheYamlTurnsAutoCommitOn() throws Exception {
        Throwable failure = start(yaml -> yaml.replace("autoCommitEnable: false", "autoCommitEnable: true"));

        assertThat(oneLine(failure)).isEqualTo(file() + ": kafka option autoCommitEnable must be false: "
                + "offsets are committed only after the file is synced (exactly-once into the files)");
    }

    @Test
    void shouldNotStartWhenTheYamlReadsUncommittedRecords() throws Exception {
        Throwable failure = start(yaml -> yaml.replace("isolationLevel: read_committed", "isolationLevel: read_uncommitted"));

        assertThat(oneLine(failure)).isEqualTo(file() + ": kafka option isolationLevel must be read_committed: "
                + "only records of Connect's committed transactions are printed (exactly-once source)");
    }

    @Test
    void shouldNotStartWhenTheYamlDropsAGuaranteeBearingOption() throws Exception {
        // the component's default (streaming, one record per exchange) is what remains
        Throwable failure = start(yaml -> yaml.replace("        batching: true\n", ""));

        assertThat(oneLine(failure)).startsWith(file() + ": kafka option batching must be true: ");
    }

    @Test
    void shouldNotStartWhenTheYamlLeavesPollErrorsToCamelsErrorHandler() throws Exception {
        // camel-kafka's default: it seeks every assigned partition past one record after a poll that throws
        Throwable failure = start(yaml -> yaml.replace("pollOnError: RECONNECT", "pollOnError: ERROR_HANDLER"));

        assertThat(oneLine(failure)).startsWith(file() + ": kafka option pollOnError must be RECONNECT: "
                + "a poll that throws is polled again from the same positions");
    }

    @Test
    void shouldNotStartWhenTheYamlSeeksToTheEnd() throws Exception {
        Throwable failure = start(yaml -> yaml.replace("        pollOnError: RECONNECT\n",
                "        pollOnError: RECONNECT\n        seekTo: END\n"));

        assertThat(oneLine(failure)).startsWith(file() + ": kafka option seekTo must not be set: "
                + "the consumer reads on from the group's committed offsets");
    }

    @Test
    void shouldCheckTheRouteThatWritesWhateverItsTopicsAndId() throws Exception {
        // a user reads topics of their own, named in the YAML, not in cdc.topics, under another route id
        assertThat(start(yaml -> yaml.replace("uri: \"kafka:{{cdc.topics}}\"", "uri: \"kafka:shop.orders,shop.items\"")
                .replace("topicIsPattern: \"{{cdc.topics.pattern}}\"", "topicIsPattern: false")
                .replace("id: print-change-events", "id: print-shop-events"))).isNull();

        KafkaEndpoint consumer = (KafkaEndpoint) app.getCamelContext().getRoute("print-shop-events").getEndpoint();
        assertThat(consumer.getConfiguration().getTopic()).isEqualTo("shop.orders,shop.items");
        assertThat(consumer.getConfiguration().isBatching()).isTrue();
        assertThat(consumer.getConfiguration().isAutoCommitEnable()).isFalse();
        assertThat(consumer.getConfiguration().isAllowManualCommit()).isTrue();
        assertThat(consumer.getKafkaManualCommitFactory()).isExactlyInstanceOf(DefaultKafkaManualCommitFactory.class);
        assertThat(consumer.getConfiguration().isBreakOnFirstError()).isTrue();
        assertThat(consumer.getConfiguration().getPollOnError()).isEqualTo(PollOnError.RECONNECT);
        assertThat(consumer.getConfiguration().getSeekTo()).isNull();
        assertThat(consumer.getConfiguration().getIsolationLevel()).isEqualTo("read_committed");
        assertThat(consumer.getConfiguration().getAutoOffsetReset()).isEqualTo("earliest");
        assertThat(consumer.getConfiguration().getValueDeserializer()).isEqualTo(ByteArrayDeserializer.class.getName());
        assertThat(consumer.getConfiguration().getHeaderFilterStrategy()).isInstanceOf(DropRecordHeaders.class);
    }

    @Test
    void shouldCheckTheOptionsOfARouteWithOtherTopicsToo() throws Exception {
        // the check follows the route that writes, not the topic string (which it once compared)
        Throwable failure = start(yaml -> yaml.replace("uri: \"kafka:{{cdc.topics}}\"", "uri: \"kafka:shop.orders\"")
                .replace("breakOnFirstError: true", "breakOnFirstError: false"));

        assertThat(oneLine(failure)).isEqualTo(file() + ": kafka option breakOnFirstError must be true: "
                + "a batch that could not be written is fetched again, never skipped");
    }

    @Test
    void shouldRefuseAReloadThatTurnsAGuaranteeOffUntilTheFileIsFixed() throws Exception {
        assertThat(start(NO_EDIT, true)).isNull();
        Path file = dir.resolve("routes").resolve(FILE);
        String shipped = Files.readString(file);

        // Camel logs the reload's failure with the one line; the route is gone: nothing read, nothing committed
        ResourceReloadStrategySupport reloads = app.getCamelContext().hasService(ResourceReloadStrategySupport.class);
        save(file, shipped.replace("isolationLevel: read_committed", "isolationLevel: read_uncommitted"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> reloads.getFailedCounter() > 0);
        assertThat(oneLine(reloads.getLastError())).isEqualTo(file() + ": kafka option isolationLevel must be read_committed: "
                + "only records of Connect's committed transactions are printed (exactly-once source)");
        assertThat(app.getCamelContext().getRoute("print-change-events")).isNull();

        save(file, shipped);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> app.getCamelContext().getRoute("print-change-events") != null);
        assertThat(consumer().getConfiguration().getIsolationLevel()).isEqualTo("read_committed");
    }

    /** As an editor saves: whole, at once (the reload never reads a half-written file). */
    private static void save(Path file, String text) throws Exception {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), text);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
