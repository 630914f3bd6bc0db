package io.cdccamel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorApiRoute;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.ConnectorHealthCheck;
import io.cdccamel.connect.KafkaRegistrationLock;
import io.cdccamel.connect.KeylessTablesHealthCheck;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.connect.RegisterConnectorRoute;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.events.ChangeEventFormatter;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.WrittenPositions;
import io.cdccamel.live.LiveViewRoutes;
import io.cdccamel.live.PgRowEstimates;
import io.cdccamel.ops.KafkaTopics;
import io.cdccamel.ops.OperationsApiRoutes;
import io.cdccamel.route.DeadLetters;
import io.cdccamel.route.PrintChangeEvents;
import io.cdccamel.route.DropRecordHeaders;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.route.OutputMetrics;
import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.StackStartException;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Camel Main entry point: binds the beans the YAML routes use and adds the Java routes. */
public final class CdcApplication {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CdcApplication.class);

    private final Main main = new Main();
    private final EmbeddedStackListener stackListener = new EmbeddedStackListener();
    private volatile ConnectorRegistration registration;
    private volatile KafkaTopics topics;
    private volatile KafkaRegistrationLock lock;

    private final ObjectMapper mapper = ExactJson.newObjectMapper();

    public CdcApplication() {
        main.bind("exactJson", mapper);
        main.bind("dropRecordHeaders", new DropRecordHeaders());
        main.bind(DeadLetters.BEAN, new DeadLetters());
        main.addMainListener(stackListener);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                // after the stack listener: the connector's overrides depend on what it started
                addJavaRoutes(m.getCamelContext());
            }

            @Override
            public void afterStop(BaseMainSupport m) {
                if (topics != null) {
                    topics.close();
                }
                if (lock != null) {
                    lock.close();
                }
            }
        });
    }

    public static void main(String[] args) throws Exception {
        try {
            new CdcApplication().main.run(args);
        } catch (Exception e) {
            StackStartException stackError = findCause(e, StackStartException.class);
            if (stackError == null) {
                throw e;
            }
            System.err.println("cdc-camel: " + stackError.getMessage());
            System.exit(2);
        }
    }

    private void addJavaRoutes(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        ConnectorDefinition definition = ConnectorDefinition.load(
                Path.of(context.resolvePropertyPlaceholders("{{cdc.connector.file}}")),
                pc.resolveProperty(ConnectorDefinition.NAME_PROPERTY).orElse(null), connectorOverrides(pc));
        LOG.info("Connector {} from {}{}", definition.name(), definition.origin(), definition.overridden().isEmpty()
                ? "" : ", with " + definition.overridden().keySet() + " set by this mode");
        Path outputDir = Path.of(context.resolvePropertyPlaceholders("{{cdc.output.dir}}"));
        try {
            // what the output files already hold: records up to there are not written again
            WrittenPositions written = WrittenPositions.scan(outputDir);
            context.getRegistry().bind("writtenPositions", written);
            context.getRegistry().bind(PrintChangeEvents.BEAN,
                    new PrintChangeEvents(PrintChangeEvents.jsonFormat(context, mapper), new ChangeEventFormatter(), written));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read the output folder: " + e.getMessage(), e);
        }
        context.getRegistry().bind(DurableCommits.BEAN, new DurableCommits(
                Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{cdc.output.sync}}"))));
        try {
            // the Prometheus registry is bound by then (Main's afterStart is not run by Main.start())
            context.addStartupListener((started, alreadyStarted) -> OutputMetrics.register(started));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        StreamingWatch watch = new StreamingWatch(context.resolvePropertyPlaceholders("{{cdc.connect.url}}"), definition,
                EmbeddedStackListener.MODE_EMBEDDED.equals(context.resolvePropertyPlaceholders("{{cdc.mode}}")),
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "streaming-watch"),
                state -> Banner.print(pc, state));
        watch.progress().estimateRowsWith(PgRowEstimates.from(context));
        context.getRegistry().bind(StreamingWatch.BEAN, watch);
        registration = new ConnectorRegistration(definition, watch::start,
                Integer.parseInt(context.resolvePropertyPlaceholders("{{cdc.connect.max-restarts}}")),
                Long.parseLong(context.resolvePropertyPlaceholders("{{cdc.connect.backoff-max.ms}}")));
        List<String> internalTopics = new java.util.ArrayList<>(List.of(
                context.resolvePropertyPlaceholders("{{cdc.connect.internal-topics}}").split("\\s*,\\s*")));
        internalTopics.add(KafkaRegistrationLock.TOPIC);
        String deadLetterTopic = context.resolvePropertyPlaceholders("{{cdc.dead-letter.topic}}");
        internalTopics.add(deadLetterTopic);
        topics = new KafkaTopics(context.resolvePropertyPlaceholders("{{cdc.kafka.brokers}}"), internalTopics);
        try {
            // Kafka does not create topics on demand here: the dead letters' topic must exist first
            topics.ensure(deadLetterTopic);
        } catch (Exception e) {
            LOG.warn("Could not create the dead-letter topic {} yet: {}", deadLetterTopic, e.getMessage());
        }
        HealthCheckRegistry.get(context).register(new ConnectorHealthCheck(registration));
        if (EmbeddedStackListener.MODE_EXTERNAL.equals(context.resolvePropertyPlaceholders("{{cdc.mode}}"))) {
            // the app does not own that database: it names the tables whose writes would fail
            KeylessTablesHealthCheck keyless = new KeylessTablesHealthCheck(context.resolvePropertyPlaceholders(
                    "jdbc:postgresql://{{cdc.postgres.host}}:{{cdc.postgres.port}}/{{cdc.postgres.database}}"),
                    context.resolvePropertyPlaceholders("{{cdc.postgres.user}}"),
                    context.resolvePropertyPlaceholders("{{cdc.postgres.password}}"));
            keyless.warnAtStart();
            HealthCheckRegistry.get(context).register(keyless);
        }
        try {
            lock = new KafkaRegistrationLock(context.resolvePropertyPlaceholders("{{cdc.kafka.brokers}}"),
                    definition.name(), Duration.ofMillis(Long.parseLong(
                            context.resolvePropertyPlaceholders("{{cdc.connect.claim-ttl.ms}}"))));
            context.addRoutes(new RegisterConnectorRoute(definition, registration, lock));
            context.addRoutes(new ConnectorApiRoute(definition, registration));
            context.addRoutes(new OperationsApiRoutes(topics));
            context.addRoutes(new LiveViewRoutes(definition.name()));
        } catch (Exception e) {
            throw new IllegalStateException("Could not add the Java routes", e);
        }
    }

    /** Every {@code cdc.connector.config.*} property, with the value that wins (override, -D, file). */
    private static Map<String, String> connectorOverrides(PropertiesComponent pc) {
        Map<String, String> overrides = new TreeMap<>();
        java.util.function.Predicate<String> ours = k -> k.startsWith(ConnectorDefinition.OVERRIDE_PREFIX);
        java.util.Set<String> keys = new java.util.TreeSet<>(pc.loadProperties(ours).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(ours).forEach(keys::add);
        for (String key : keys) {
            pc.resolveProperty(key).ifPresent(v -> overrides.put(key.substring(ConnectorDefinition.OVERRIDE_PREFIX.length()), v));
        }
        return overrides;
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The Camel Main, for tests that start the application in-process. */
    public Main main() {
        return main;
    }

    public ConnectorRegistration registration() {
        return registration;
    }

    public EmbeddedStackListener stackListener() {
        return stackListener;
    }
}
