package io.cdccamel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.api.ApiErrorPolicy;
import io.cdccamel.api.ApiSecurity;
import io.cdccamel.connect.ConnectAuth;
import io.cdccamel.connect.ConnectorApiRoute;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.ConnectorHealthCheck;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.connect.KafkaRegistrationLock;
import io.cdccamel.connect.KeylessTablesHealthCheck;
import io.cdccamel.connect.RegisterConnectorRoute;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.WrittenPositions;
import io.cdccamel.live.LiveViewRoutes;
import io.cdccamel.live.PgRowEstimates;
import io.cdccamel.ops.KafkaTopics;
import io.cdccamel.ops.OperationsApiRoutes;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.route.RevokeCommits;
import io.cdccamel.events.OutputFiles;
import io.cdccamel.route.OutputMetrics;
import io.cdccamel.stack.EmbeddedStackListener;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's beans and Java routes, declared for Camel Main (camel-examples {@code main}'s
 * {@code MyConfiguration}). Camel Main builds them after {@link EmbeddedStackListener} has started
 * the embedded stack, so the injected addresses are the ones that started.
 */
@Configuration
public class CdcConfiguration implements CamelConfiguration, CamelContextAware {

    @PropertyInject("cdc.mode")
    private String mode;
    @PropertyInject("cdc.kafka.brokers")
    private String brokers;
    @PropertyInject("cdc.connect.url")
    private String connectUrl;
    @PropertyInject("cdc.connector.file")
    private String connectorFile;
    @PropertyInject(ConnectorDefinition.NAME_PROPERTY)
    private String connectorName;
    @PropertyInject("cdc.connect.max-restarts")
    private int maxRestarts;
    @PropertyInject("cdc.connect.backoff-max.ms")
    private long backoffMaxMillis;
    @PropertyInject("cdc.connect.claim-ttl.ms")
    private long claimTtlMillis;
    @PropertyInject("cdc.connect.internal-topics")
    private String connectTopics;
    @PropertyInject("cdc.topics")
    private String topics;
    @PropertyInject("cdc.output.dir")
    private String outputDir;
    @PropertyInject("cdc.output.sync")
    private boolean sync;
    @PropertyInject("cdc.output.max-bytes")
    private long outputMaxBytes;
    @PropertyInject("cdc.dead-letter.topic")
    private String deadLetterTopic;
    @PropertyInject("cdc.dead-letter.endpoint")
    private String deadLetterEndpoint;
    @PropertyInject("cdc.postgres.host")
    private String postgresHost;
    @PropertyInject("cdc.postgres.port")
    private int postgresPort;
    @PropertyInject("cdc.postgres.database")
    private String postgresDatabase;
    @PropertyInject("cdc.postgres.user")
    private String postgresUser;
    @PropertyInject("cdc.postgres.password")
    private String postgresPassword;

    private CamelContext context;
    private ConnectorDefinition definition;
    private ConnectorRegistration registration;
    private WrittenPositions written;
    private DurableCommits commits;
    private KafkaTopics kafkaTopics;
    private KafkaRegistrationLock lock;
    private ApiSecurity apiSecurity;
    private KafkaClientSettings kafkaClientSettings;

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** The mapper that keeps numbers exact (camel-jackson's data format uses it too). */
    @BindToRegistry("exactJson")
    public ObjectMapper exactJson() {
        return ExactJson.newObjectMapper();
    }

    /** {@code debezium_connect.json} with this mode's {@code cdc.connector.config.*} overrides. */
    @BindToRegistry
    public synchronized ConnectorDefinition connectorDefinition() {
        if (definition == null) {
            definition = ConnectorDefinition.load(Path.of(connectorFile), connectorName,
                    Settings.withPrefix(context.getPropertiesComponent(), ConnectorDefinition.OVERRIDE_PREFIX));
            org.slf4j.LoggerFactory.getLogger(CdcApplication.class).info("Connector {} from {}{}", definition.name(),
                    definition.origin(), definition.overridden().isEmpty() ? ""
                            : ", with " + definition.overridden().keySet() + " set by this mode");
        }
        return definition;
    }

    @BindToRegistry
    public synchronized ConnectorRegistration connectorRegistration() {
        if (registration == null) {
            StreamingWatch watch = new StreamingWatch(connectUrl, ConnectAuth.from(context.getPropertiesComponent()),
                    connectorDefinition(),
                    EmbeddedStackListener.MODE_EMBEDDED.equals(mode),
                    context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "streaming-watch"),
                    state -> Banner.print(context.getPropertiesComponent(), state, apiSecurity()));
            watch.progress().estimateRowsWith(PgRowEstimates.from(context));
            context.getRegistry().bind(StreamingWatch.BEAN, watch);
            registration = new ConnectorRegistration(connectorDefinition(), watch::start, maxRestarts, backoffMaxMillis);
        }
        return registration;
    }

    /** What the output files already hold, from their positions journal: records up to there are not written again. */
    @BindToRegistry
    public synchronized WrittenPositions writtenPositions() {
        if (written == null) {
            written = WrittenPositions.openInBackground(Path.of(outputDir), sync);
        }
        return written;
    }

    @BindToRegistry
    public synchronized KafkaTopics kafkaTopics() {
        if (kafkaTopics == null) {
            List<String> internal = new ArrayList<>(List.of(connectTopics.split("\\s*,\\s*")));
            internal.add(KafkaRegistrationLock.TOPIC);
            internal.add(deadLetterTopic);
            kafkaTopics = new KafkaTopics(brokers, internal, kafkaClientSettings());
        }
        return kafkaTopics;
    }

    @BindToRegistry
    public synchronized KafkaRegistrationLock registrationLock() {
        if (lock == null) {
            lock = new KafkaRegistrationLock(brokers, connectorDefinition().name(), Duration.ofMillis(claimTtlMillis),
                    kafkaClientSettings());
        }
        return lock;
    }

    /** {@code cdc.kafka.client.*}: what every Kafka client of the app takes (a secured cluster's settings). */
    @BindToRegistry
    public synchronized KafkaClientSettings kafkaClientSettings() {
        if (kafkaClientSettings == null) {
            kafkaClientSettings = KafkaClientSettings.from(context.getPropertiesComponent());
            if (!kafkaClientSettings.isEmpty()) {
                org.slf4j.LoggerFactory.getLogger(CdcApplication.class).info("Kafka clients' settings from {}*: {}",
                        KafkaClientSettings.PREFIX, kafkaClientSettings);
            }
        }
        return kafkaClientSettings;
    }

    /** The API's token of this start, its Host allow-list and its guard of state changes. */
    @BindToRegistry(ApiSecurity.BEAN)
    public synchronized ApiSecurity apiSecurity() {
        if (apiSecurity == null) {
            apiSecurity = ApiSecurity.from(context);
        }
        return apiSecurity;
    }

    @BindToRegistry
    public synchronized DurableCommits durableCommits() {
        if (commits == null) {
            commits = new DurableCommits(new OutputFiles(writtenPositions(), sync, outputMaxBytes));
        }
        return commits;
    }

    /** The route consumer's rebalance listener (camel-kafka looks it up by this name). */
    @BindToRegistry(RevokeCommits.BEAN)
    public RevokeCommits revokeCommits() {
        return new RevokeCommits(durableCommits(), writtenPositions(), () -> {
            try {
                return kafkaTopics().clusterId();
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, topicSet -> {
            try {
                return kafkaTopics().topicIds(topicSet);
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    /** The Java routes, the health checks and the output's metrics (the print route's steps: route.PrintRouteConfiguration). */
    @Override
    public void configure(CamelContext camel) throws Exception {
        // the Kafka component's clients (the print route, the dead letters) take cdc.kafka.client.* too
        org.apache.camel.component.kafka.KafkaComponent kafka = camel.getComponent("kafka",
                org.apache.camel.component.kafka.KafkaComponent.class);
        java.util.Map<String, Object> additional = new java.util.HashMap<>(
                kafka.getConfiguration().getAdditionalProperties() == null ? java.util.Map.of()
                        : kafka.getConfiguration().getAdditionalProperties());
        additional.putAll(kafkaClientSettings().asMap());
        kafka.getConfiguration().setAdditionalProperties(additional);
        // every request to the API's server passes the guard first: before any route starts
        camel.addStartupListener((started, alreadyStarted) -> apiSecurity().install(started));
        // the API routes' one error policy, which they opt into by id
        camel.addRoutes(new ApiErrorPolicy());
        camel.addRoutes(new RegisterConnectorRoute(connectorDefinition(), connectorRegistration(), registrationLock()));
        camel.addRoutes(new ConnectorApiRoute(connectorDefinition(), connectorRegistration()));
        camel.addRoutes(new OperationsApiRoutes(kafkaTopics()));
        camel.addRoutes(new LiveViewRoutes(connectorDefinition().name()));

        HealthCheckRegistry.get(camel).register(new ConnectorHealthCheck(connectorRegistration()));
        io.cdccamel.capture.CaptureSync capture = camel.getRegistry().lookupByNameAndType(
                io.cdccamel.capture.CaptureListener.BEAN, io.cdccamel.capture.CaptureSync.class);
        io.cdccamel.capture.SlotWatch slot = camel.getRegistry().lookupByNameAndType(
                io.cdccamel.capture.CaptureListener.SLOT_BEAN, io.cdccamel.capture.SlotWatch.class);
        if (slot != null) {
            HealthCheckRegistry.get(camel).register(slot);
        }
        if (capture != null) {
            camel.addRoutes(new io.cdccamel.capture.SnapshotApiRoutes(capture));
        }
        if (capture != null && !capture.setsReplicaIdentityFull()) {
            HealthCheckRegistry.get(camel).register(new io.cdccamel.capture.ReplicaIdentityHealthCheck(capture));
        }
        if (EmbeddedStackListener.MODE_EXTERNAL.equals(mode)) {
            // the app does not own that database: it names the tables whose writes would fail
            KeylessTablesHealthCheck keyless = new KeylessTablesHealthCheck("jdbc:postgresql://" + postgresHost + ":"
                    + postgresPort + "/" + postgresDatabase, postgresUser, postgresPassword);
            keyless.warnAtStart();
            HealthCheckRegistry.get(camel).register(keyless);
        }
        camel.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() {
                kafkaTopics().close();
                registrationLock().close();
            }
        }, true);
        // the output's positions journal is opened while Camel builds the rest; the routes start once it is
        camel.addStartupListener((started, alreadyStarted) -> {
            try {
                writtenPositions().awaitOpen();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open the output folder " + outputDir + "'s positions: " + e.getMessage(), e);
            }
        });
        camel.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // the consoles are loaded while Camel starts
                withoutEventConsole(started);
                apiSecurity().removeActingConsoles(started);
                // secrets masked in every console's answer (Camel's own masking misses sasl.jaas.config)
                io.cdccamel.api.MaskedConsoles.wrapAll(started);
            }
        });
        lostOffsetsCheck(camel);
        // the Prometheus registry is bound by then (Main's afterStart is not run by Main.start())
        camel.addStartupListener((started, alreadyStarted) -> OutputMetrics.register(started));
        if (camel.resolvePropertyPlaceholders(deadLetterEndpoint).startsWith("kafka:")) {
            try {
                // Kafka does not create topics on demand here: the dead letters' topic must exist first
                kafkaTopics().ensure(deadLetterTopic);
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(CdcApplication.class)
                        .warn("Could not create the dead-letter topic {} yet: {}", deadLetterTopic, e.getMessage());
            }
        }
    }

    /**
     * Records Kafka deleted before the print route read them are said (ERROR, metric) before the
     * route starts, and then every {@code cdc.consumer.lost-offsets-check.ms}; with
     * {@code cdc.consumer.on-lost-offsets=fail} the app does not start, or the route stops.
     */
    private void lostOffsetsCheck(CamelContext camel) throws Exception {
        var pc = camel.getPropertiesComponent();
        boolean fail = "fail".equalsIgnoreCase(pc.resolveProperty(io.cdccamel.route.LostOffsets.ON_LOST).orElse("continue").trim());
        long every = Long.parseLong(pc.resolveProperty("cdc.consumer.lost-offsets-check.ms").orElse("30000").trim());
        if (every <= 0) {
            return; // off (route tests without Kafka)
        }
        java.util.regex.Pattern pattern = LiveViewRoutes.topicPattern(camel.resolvePropertyPlaceholders(topics),
                Boolean.parseBoolean(camel.resolvePropertyPlaceholders("{{cdc.topics.pattern}}")));
        io.cdccamel.route.LostOffsets lost = new io.cdccamel.route.LostOffsets(brokers,
                io.cdccamel.KafkaClientSettings.from(pc), camel.resolvePropertyPlaceholders("{{cdc.consumer.group}}"), pattern);
        camel.getRegistry().bind("lostOffsets", lost);
        camel.addStartupListener((started, alreadyStarted) -> {
            java.util.Map<?, ?> losses;
            try {
                losses = lost.check();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(CdcApplication.class).warn("Could not compare the consumer group's offsets "
                        + "with the topics' first records: {}", e.toString());
                losses = java.util.Map.of();
            }
            if (!losses.isEmpty() && fail) {
                throw new io.cdccamel.stack.StackStartException("Records were deleted before they were printed (see the ERROR "
                        + "lines above); not starting, as cdc.consumer.on-lost-offsets=fail says. To go on from the first record "
                        + "Kafka has, start with cdc.consumer.on-lost-offsets=continue");
            }
            java.util.concurrent.ScheduledExecutorService checker = started.getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "lost-offsets-check");
            checker.scheduleWithFixedDelay(() -> {
                try {
                    if (!lost.check().isEmpty() && fail) {
                        org.slf4j.LoggerFactory.getLogger(CdcApplication.class).error("Stopping route print-change-events, as "
                                + "cdc.consumer.on-lost-offsets=fail says");
                        started.getRouteController().stopRoute("print-change-events");
                    }
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(CdcApplication.class).debug("Lost-offsets check failed: {}", e.toString());
                }
            }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Camel's dev console, without its {@code event} console: that one listens to every exchange
     * event, and Camel then makes one for each record the Kafka consumer hands over. Measured with
     * bench/run throughput (500,000 events, median of 3 to 5 runs): 26,414 events/s with it, 32,662
     * without; the other consoles cost nothing measurable.
     */
    static void withoutEventConsole(CamelContext camel) {
        org.apache.camel.console.DevConsoleRegistry consoles =
                camel.getCamelContextExtension().getContextPlugin(org.apache.camel.console.DevConsoleRegistry.class);
        if (consoles == null) {
            return;
        }
        consoles.stream().filter(c -> "event".equals(c.getId())).toList().forEach(c -> {
            ServiceHelper.stopService(c);
            consoles.unregister(c);
        });
    }
}
