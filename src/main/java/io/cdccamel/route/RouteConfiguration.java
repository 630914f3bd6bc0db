package io.cdccamel.route;

import io.cdccamel.base.AtStart;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.store.OutputFiles;
import io.cdccamel.store.WrittenPositions;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.kafka.ClusterIds;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.DeadLetterSettings;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.base.StackStartException;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Route print-change-events' Java side: its read and write steps ({@link PrintRouteSteps}), the
 * check of its consumer's options ({@link ConsumerGuarantees}), durable writes and commits, the
 * rebalance listener, the dead letters, the lost-offsets check and the output's metrics. The route
 * itself, with its consumer's options, is {@code routes/print-change-events.camel.yaml}.
 */
@Configuration
public class RouteConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RouteConfiguration.class);

    /** What the output files already hold, from their positions journal: records up to there are not written again. */
    @BindToRegistry
    public WrittenPositions writtenPositions(OutputSettings output) {
        written = WrittenPositions.openInBackground(output.dir(), output.sync());
        return written;
    }

    @BindToRegistry
    public DurableCommits durableCommits(WrittenPositions writtenPositions, OutputSettings output) {
        return new DurableCommits(new OutputFiles(writtenPositions, output.sync(), output.maxBytes()));
    }

    /** The route consumer's rebalance listener (camel-kafka looks it up by this name). */
    @BindToRegistry(RevokeCommits.BEAN)
    public RevokeCommits revokeCommits(DurableCommits durableCommits, WrittenPositions writtenPositions, ClusterIds clusterIds) {
        revoke = new RevokeCommits(durableCommits, writtenPositions, () -> {
            try {
                return clusterIds.clusterId();
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, topicSet -> {
            try {
                return clusterIds.topicIds(topicSet);
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        return revoke;
    }

    /** The records the print route's steps fail on: retried, searched for a part at a time, dead letters alone. */
    @BindToRegistry
    public StepFailures stepFailures() {
        return new StepFailures();
    }

    /** Ready-made edits of a batch's change events, for the YAML route's steps ({@code bean: ref: changeEvents}). */
    @BindToRegistry(ChangeEventEdits.BEAN)
    public ChangeEventEdits changeEventEdits() {
        return new ChangeEventEdits();
    }

    /** Records Kafka deleted before the print route read them (see {@link #configure}); null: the check is off. */
    @BindToRegistry("lostOffsets")
    public LostOffsets lostOffsets(ConsumerSettings consumer, KafkaAdmins admins) {
        this.consumer = consumer;
        if (consumer.lostOffsetsCheckMillis() <= 0) {
            return null; // off (route tests without Kafka)
        }
        lostOffsets = new LostOffsets(admins, consumer.group(), consumer.topicRegex());
        return lostOffsets;
    }

    /** Route print-change-events' read and write steps, the {@code direct:} routes the YAML route calls. */
    @BindToRegistry(lazy = true)
    public PrintRouteSteps printRouteSteps(CamelContext camel, ObjectMapper exactJson, WrittenPositions writtenPositions,
                                           DurableCommits durableCommits, DeadLetterSettings deadLetterSettings,
                                           StepFailures stepFailures) {
        JacksonDataFormat json = new JacksonDataFormat(exactJson, JsonNode.class);
        json.setCamelContext(camel);
        try {
            camel.addService(json, true);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start camel-jackson's data format: " + e.getMessage(), e);
        }
        DeadLetters deadLetters = new DeadLetters(camel.createProducerTemplate(), deadLetterSettings.endpoint());
        return new PrintRouteSteps(new ReadChangeEvents(json, writtenPositions, stepFailures),
                new WriteChangeEvents(deadLetters, durableCommits, exactJson), exactJson);
    }

    /** The assignment check's health: DOWN while newly assigned partitions' ids cannot be checked. */
    @BindToRegistry(lazy = true)
    public AssignmentCheckHealthCheck assignmentCheckHealthCheck(RevokeCommits revokeCommits) {
        return new AssignmentCheckHealthCheck(revokeCommits);
    }

    /** The output's counters in {@code /observe/metrics}. */
    @BindToRegistry(lazy = true)
    public MeterBinder outputMeters(WrittenPositions writtenPositions, DurableCommits durableCommits, RevokeCommits revokeCommits,
                                    StepFailures stepFailures) {
        return registry -> OutputMetrics.bind(registry, writtenPositions, durableCommits, revokeCommits, stepFailures);
    }

    /** The route's steps' health: DOWN while the route looks for a record they fail on. */
    @BindToRegistry(lazy = true)
    public StepFailuresHealthCheck stepFailuresHealthCheck(StepFailures stepFailures) {
        return new StepFailuresHealthCheck(stepFailures);
    }

    // what this class bound, for configure (which runs once every class's beans are bound)
    private WrittenPositions written;
    private RevokeCommits revoke;
    private ConsumerSettings consumer;
    private LostOffsets lostOffsets;

    @Override
    public void configure(CamelContext camel) throws Exception {
        // the YAML route's consumer options that the guarantees need are checked, at start and at each reload
        camel.addLifecycleStrategy(new ConsumerGuarantees());
        // a partition assignment whose ids cannot be checked yet: retried (health DOWN meanwhile), ended by a stop
        RevokeCommits revokeCommits = revoke;
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                revokeCommits.stop();
            }
        });
        // the output's positions journal is opened while Camel builds the rest; the routes start once it is
        WrittenPositions positions = written;
        camel.addStartupListener(AtStart.once(started -> {
            try {
                positions.awaitOpen();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open the output folder's positions: " + e.getMessage(), e);
            }
        }));
        lostOffsetsCheck(camel, consumer, lostOffsets);
    }

    /**
     * Records Kafka deleted before the print route read them are said (ERROR, metric) before the
     * route starts, and then every {@code cdc.consumer.lost-offsets-check.ms}; with
     * {@code cdc.consumer.on-lost-offsets=fail} the app does not start, or the route stops.
     */
    private void lostOffsetsCheck(CamelContext camel, ConsumerSettings consumer, LostOffsets lost) throws Exception {
        long every = consumer.lostOffsetsCheckMillis();
        if (lost == null) {
            return;
        }
        boolean fail = consumer.failOnLostOffsets();
        camel.addStartupListener(AtStart.once(started -> {
            Map<?, ?> losses;
            try {
                losses = lost.check();
            } catch (Exception e) {
                LOG.warn("Could not compare the consumer group's offsets with the topics' first records: {}", e.toString());
                losses = Map.of();
            }
            try {
                lost.warnTimeRetention();
            } catch (Exception e) {
                LOG.debug("Could not read the printed topics' retention: {}", e.toString());
            }
            if (!losses.isEmpty() && fail) {
                throw new StackStartException("Records were deleted before they were printed (see the ERROR "
                        + "lines above); not starting, as cdc.consumer.on-lost-offsets=fail says. To go on from the first record "
                        + "Kafka has, start with cdc.consumer.on-lost-offsets=continue");
            }
            ScheduledExecutorService checker = started.getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "lost-offsets-check");
            checker.scheduleWithFixedDelay(() -> {
                try {
                    if (!lost.check().isEmpty() && fail) {
                        LOG.error("Stopping route print-change-events, as cdc.consumer.on-lost-offsets=fail says");
                        started.getRouteController().stopRoute("print-change-events");
                    }
                } catch (Exception e) {
                    LOG.debug("Lost-offsets check failed: {}", e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }));
    }
}
