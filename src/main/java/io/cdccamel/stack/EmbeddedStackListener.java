package io.cdccamel.stack;

import io.cdccamel.base.AtStart;
import io.cdccamel.base.Published;
import io.cdccamel.base.StackStartException;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.ConnectorSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.Secrets;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * In {@code cdc.mode=embedded}, starts the local stack before Camel reads its routes, then points
 * the application's properties (brokers, Connect URL, database port) at what actually started.
 * PostgreSQL and Kafka are up before Camel builds anything; Kafka Connect's worker starts beside
 * Camel's build and start, and the routes start once it is up.
 */
@Published
public class EmbeddedStackListener extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStackListener.class);

    /** The exit code of an app whose embedded PostgreSQL died and could not be started again. */
    static final int POSTGRES_LOST_EXIT = 3;

    private volatile LocalStack stack;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        StackModeSettings mode = SettingsReader.read(context, StackModeSettings::read);
        ConnectSettings connect = SettingsReader.read(context, ConnectSettings::read);
        if (mode.embedded()) {
            startStack(context, mode, SettingsReader.read(context, PostgresSettings::read), connect);
        } else {
            LOG.info("External mode: using Kafka at {} and Kafka Connect at {}", mode.brokers(), connect.url());
        }
    }

    private void startStack(CamelContext context, StackModeSettings mode, PostgresSettings postgres, ConnectSettings connect) {
        long maxHeapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        int maxRecord = RecordLimits.maxRecordBytes();
        if (maxHeapMb > 6144) {
            LOG.warn("The JVM may grow to {} MB of heap; the embedded stack needs about 512 (4096 for rows up to 50 MB): "
                    + "start it with -Xmx512m", maxHeapMb);
        }
        LOG.info("A change event may be up to {} bytes with this heap ({} MB; docs/operations.md#big-rows)",
                maxRecord, maxHeapMb);
        if (!connect.worker().isEmpty()) {
            LOG.info("Kafka Connect worker settings from cdc.connect.worker.*: {}", Secrets.masked(connect.worker()));
        }
        StackSettings settings = new StackSettings(mode.dir(), postgres.port(), mode.kafkaPorts(), connect.port(),
                Duration.ofSeconds(120), connect.worker(), mode.reset())
                .withPostgresPassword(postgres.password())
                .withEmbeddedPostgres(postgres.embedded());
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

        // a PostgreSQL that died and would not start again: the whole app stops, never streams half-alive
        // (the shutdown hooks stop Camel, then the stack)
        stack.onPostgresLost(reason -> new Thread(() -> System.exit(POSTGRES_LOST_EXIT), "cdc-postgres-lost").start());

        // Connect's worker starts while Camel builds and starts; the routes start once it is up
        // (a worker that fails to start fails the app's start, as any part of the stack does)
        LocalStack started = stack;
        try {
            context.addStartupListener(AtStart.once(camel -> started.awaitConnect()));
        } catch (Exception e) {
            throw new StackStartException("Cannot wait for Kafka Connect's start: " + e, e);
        }
        // values computed at start must win over application.properties: override, not initial
        PropertiesComponent pc = context.getPropertiesComponent();
        pc.addOverrideProperty(StackModeSettings.BROKERS, stack.kafka().bootstrapServers());
        pc.addOverrideProperty(ConnectSettings.URL, stack.connectUrl());
        // the worker's REST API takes state changes with this token only (ConnectRestGuard): the app's calls carry it
        pc.addOverrideProperty(ConnectSettings.TOKEN, stack.connectToken());
        String pgHost = settings.postgres() ? "localhost" : postgres.host();
        String pgPort = Integer.toString(settings.postgres() ? stack.postgres().port() : postgres.port());
        if (settings.postgres()) {
            // every connection of the app's (checks, capture, demo data, health) reads cdc.postgres.password
            pc.addOverrideProperty(PostgresSettings.PASSWORD, stack.postgresPassword());
        }
        pc.addOverrideProperty(PostgresSettings.HOST, pgHost);
        pc.addOverrideProperty(PostgresSettings.PORT, pgPort);
        pc.addOverrideProperty(ConnectSettings.PORT, Integer.toString(stack.connectPort()));
        pc.addOverrideProperty(StackModeSettings.KAFKA_PORTS, String.join(",",
                stack.kafka().hostPorts().stream().map(String::valueOf).toList()));
        // Connect runs in this JVM: it reaches the database where the app does
        pc.addOverrideProperty(ConnectorSettings.OVERRIDE_PREFIX + "database.hostname", pgHost);
        pc.addOverrideProperty(ConnectorSettings.OVERRIDE_PREFIX + "database.port", pgPort);
        if (!settings.postgres()) {
            pc.addOverrideProperty(ConnectorSettings.OVERRIDE_PREFIX + "database.dbname", postgres.database());
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
}
