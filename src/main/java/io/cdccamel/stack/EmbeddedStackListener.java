package io.cdccamel.stack;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * In {@code cdc.mode=embedded}, starts the local stack before Camel reads its routes, then points
 * the application's properties (brokers, Connect URL, database port) at what actually started.
 * PostgreSQL and Kafka are up before Camel builds anything; Kafka Connect's worker starts beside
 * Camel's build and start, and the routes start once it is up.
 * In both modes it prepares the demo table when {@code cdc.demo.enabled=true}.
 */
public class EmbeddedStackListener extends MainListenerSupport {

    public static final String MODE = "cdc.mode";
    public static final String MODE_EMBEDDED = "embedded";
    public static final String MODE_EXTERNAL = "external";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStackListener.class);

    private volatile LocalStack stack;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent pc = context.getPropertiesComponent();
        String mode = property(pc, MODE);
        if (MODE_EMBEDDED.equals(mode)) {
            startStack(context, pc);
        } else if (MODE_EXTERNAL.equals(mode)) {
            LOG.info("External mode: using Kafka at {} and Kafka Connect at {}",
                    property(pc, "cdc.kafka.brokers"), property(pc, "cdc.connect.url"));
        } else {
            throw new StackStartException(MODE + " must be '" + MODE_EMBEDDED + "' or '" + MODE_EXTERNAL + "', not '" + mode + "'");
        }
        if (demoEnabled(pc)) {
            String jdbc = "jdbc:postgresql://" + property(pc, "cdc.postgres.host") + ":" + property(pc, "cdc.postgres.port")
                    + "/" + property(pc, "cdc.postgres.database");
            try {
                DemoData.ensure(jdbc, property(pc, "cdc.postgres.user"), property(pc, "cdc.postgres.password"));
            } catch (Exception e) {
                LOG.warn("Could not prepare the demo table at {}: {}", jdbc, e.getMessage());
            }
        }
    }

    /**
     * {@code cdc.demo.enabled}: {@code true} or {@code false}; {@code auto} (the default) makes the
     * demo table in the databases set up for this app (the embedded one, docker-compose's), never
     * in the user's own PostgreSQL ({@code cdc.postgres.embedded=false}) unless set to true.
     */
    static boolean demoEnabled(PropertiesComponent pc) {
        String demo = pc.resolveProperty("cdc.demo.enabled").map(String::trim).orElse("auto");
        if ("auto".equalsIgnoreCase(demo) || demo.isEmpty()) {
            return !(MODE_EMBEDDED.equals(property(pc, MODE)) && !postgresEmbedded(pc));
        }
        return Boolean.parseBoolean(demo);
    }

    /** {@code cdc.postgres.embedded}: whether embedded mode starts its own PostgreSQL (default true). */
    public static boolean postgresEmbedded(PropertiesComponent pc) {
        return Boolean.parseBoolean(pc.resolveProperty(StackSettings.POSTGRES_EMBEDDED).map(String::trim).orElse("true"));
    }

    /** {@code cdc.connect.worker.<key>=value}: worker setting {@code <key>} of the embedded Connect worker. */
    private static java.util.Map<String, String> connectWorkerSettings(PropertiesComponent pc) {
        java.util.Map<String, String> settings = io.cdccamel.settings.Settings.withPrefix(pc, StackSettings.CONNECT_WORKER_PREFIX);
        if (!settings.isEmpty()) {
            LOG.info("Kafka Connect worker settings from cdc.connect.worker.*: {}", io.cdccamel.settings.Secrets.masked(settings));
        }
        return settings;
    }

    private void startStack(CamelContext context, PropertiesComponent pc) {
        long maxHeapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        int maxRecord = RecordLimits.maxRecordBytes();
        if (maxHeapMb > 6144) {
            LOG.warn("The JVM may grow to {} MB of heap; the embedded stack needs about 512 (4096 for rows up to 50 MB): "
                    + "start it with -Xmx512m", maxHeapMb);
        }
        LOG.info("A change event may be up to {} bytes with this heap ({} MB; docs/operations.md#big-rows)",
                maxRecord, maxHeapMb);
        StackSettings settings = new StackSettings(
                Path.of(property(pc, "cdc.stack.dir")),
                intProperty(pc, StackSettings.POSTGRES_PORT),
                Arrays.stream(property(pc, StackSettings.KAFKA_PORTS).split(",")).map(String::trim)
                        .map(p -> parsePort(p, StackSettings.KAFKA_PORTS)).toList(),
                intProperty(pc, StackSettings.CONNECT_PORT),
                Duration.ofSeconds(120),
                connectWorkerSettings(pc),
                Boolean.parseBoolean(pc.resolveProperty(StackSettings.RESET).map(String::trim).orElse("false")))
                .withPostgresPassword(property(pc, StackSettings.POSTGRES_PASSWORD))
                .withEmbeddedPostgres(postgresEmbedded(pc));
        try {
            stack = LocalStack.startWithConnectPending(settings, starting ->
                    // JVM shutdown (Ctrl-C), even half-way through the start: Camel stops first
                    // (its own hook), then the stack, in reverse order of start
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        awaitStopped(context, Duration.ofSeconds(45));
                        starting.close();
                    }, "cdc-stack-shutdown")));
        } catch (StackStartException e) {
            throw e;
        } catch (Exception e) {
            throw new StackStartException("The embedded stack failed to start: " + e, e);
        }

        // Connect's worker starts while Camel builds and starts; the routes start once it is up
        // (a worker that fails to start fails the app's start, as any part of the stack does)
        LocalStack started = stack;
        try {
            context.addStartupListener((camel, alreadyStarted) -> started.awaitConnect());
        } catch (Exception e) {
            throw new StackStartException("Cannot wait for Kafka Connect's start: " + e, e);
        }
        if (stack.kafka().created()) {
            moveEarlierOutputAside(Path.of(property(pc, "cdc.output.dir")));
        }
        // values computed at start must win over application.properties: override, not initial
        pc.addOverrideProperty("cdc.kafka.brokers", stack.kafka().bootstrapServers());
        pc.addOverrideProperty("cdc.connect.url", stack.connectUrl());
        String pgHost = settings.postgres() ? "localhost" : property(pc, "cdc.postgres.host");
        String pgPort = settings.postgres() ? Integer.toString(stack.postgres().port()) : property(pc, "cdc.postgres.port");
        pc.addOverrideProperty("cdc.postgres.host", pgHost);
        pc.addOverrideProperty("cdc.postgres.port", pgPort);
        pc.addOverrideProperty("cdc.connect.port", Integer.toString(stack.connectPort()));
        pc.addOverrideProperty(StackSettings.KAFKA_PORTS, String.join(",",
                stack.kafka().hostPorts().stream().map(String::valueOf).toList()));
        // Connect runs in this JVM: it reaches the database where the app does
        pc.addOverrideProperty("cdc.connector.config.database.hostname", pgHost);
        pc.addOverrideProperty("cdc.connector.config.database.port", pgPort);
        if (!settings.postgres()) {
            pc.addOverrideProperty("cdc.connector.config.database.dbname", property(pc, "cdc.postgres.database"));
        }
    }

    /**
     * A new Kafka cluster (the first start, or after {@code cdc.stack.reset}) numbers its offsets
     * from 0 again: output written against an earlier cluster is moved to
     * {@code <output>/previous-<time>/}, or its positions would be taken for the new cluster's.
     */
    static void moveEarlierOutputAside(Path outputDir) {
        if (!java.nio.file.Files.isDirectory(outputDir)) {
            return;
        }
        try {
            List<Path> logs = io.cdccamel.events.OutputFormat.files(outputDir);
            if (logs.isEmpty()) {
                return;
            }
            Path aside = outputDir.resolve("previous-" + java.time.LocalDateTime.now()
                    .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            java.nio.file.Files.createDirectories(aside);
            for (Path log : logs) {
                java.nio.file.Files.move(log, aside.resolve(log.getFileName()));
            }
            // their positions journal goes with them: the new cluster's start from no positions
            Path journal = outputDir.resolve(io.cdccamel.events.PositionsJournal.FILE_NAME);
            if (java.nio.file.Files.exists(journal)) {
                java.nio.file.Files.move(journal, aside.resolve(io.cdccamel.events.PositionsJournal.FILE_NAME));
            }
            LOG.info("The Kafka cluster is new: the output written against an earlier one moved to {}", aside);
        } catch (java.io.IOException e) {
            throw new StackStartException("Cannot move the earlier output in " + outputDir + " aside: " + e.getMessage(), e);
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        LocalStack s = stack;
        if (s != null) {
            s.close();
        }
    }

    public LocalStack stack() {
        return stack;
    }

    private static void awaitStopped(CamelContext context, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (isRunning(context) && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean isRunning(CamelContext context) {
        return switch (context.getStatus()) {
            case Starting, Started, Stopping, Suspending, Suspended -> true;
            default -> false;
        };
    }

    static String property(PropertiesComponent pc, String key) {
        return pc.resolveProperty(key).map(String::trim)
                .orElseThrow(() -> new StackStartException("Missing property " + key));
    }

    private static int intProperty(PropertiesComponent pc, String key) {
        return parsePort(property(pc, key), key);
    }

    private static int parsePort(String value, String key) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new StackStartException(key + " must be a port number, not '" + value + "'");
        }
    }

}
