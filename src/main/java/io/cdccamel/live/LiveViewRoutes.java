package io.cdccamel.live;

import io.cdccamel.base.AtStart;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectApi;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ChartSettings;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.DeadLetterSettings;
import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.settings.LiveSettings;
import io.cdccamel.settings.StackModeSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.cdccamel.capture.CaptureViews;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.ops.BrokerControl;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.route.StepFailures;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The live view of the pipeline at {@code http://<cdc.api.host>:<cdc.api.port>/}: route
 * {@code push-live-view} sends the open pages what changed every {@code cdc.live.push.ms}, route
 * {@code probe-pipeline} asks Kafka and Connect every {@code cdc.live.probe.ms} while a page is open.
 * Off with {@code cdc.live.enabled=false}.
 */
public class LiveViewRoutes extends RouteBuilder {

    public static final String PUSH_LIVE_VIEW = "push-live-view";
    public static final String PROBE_PIPELINE = "probe-pipeline";
    public static final String SAMPLE_CHARTS = "sample-charts";

    private final ConnectApi connect;
    private final KafkaAdmins admins;
    private final LiveSettings live;
    private final ConsumerSettings consumer;
    private final String deadLetterTopic;
    private final StackModeSettings stack;
    private final ApiSettings api;
    private final ChartSettings chartSettings;
    private final DurableCommits commits;
    private final ObjectMapper mapper;
    private final BrokerControl brokerControl;
    private final StreamingWatch watch;
    private final CaptureViews capture;

    private final StepFailures steps;

    /**
     * @param connect the app's Connect client (the probe asks it for the connector's status)
     * @param admins  the app's Kafka admin maker (the probe's admin client)
     * @param consumer the print route's topics and group: what the view reads and whose lag it shows
     * @param commits  the print route's output: entries per topic (a chart), what its steps filtered (the page)
     * @param mapper   the app's exact JSON mapper
     * @param brokers  the embedded brokers' control (the page's stop/start buttons), or none
     * @param watch    Debezium's streaming and snapshot (the page, two charts)
     * @param capture  the slot and the snapshot jobs, when the app captures its own database
     * @param steps    the print route's steps failing on records (a red line on the page)
     */
    public LiveViewRoutes(ConnectApi connect, KafkaAdmins admins, LiveSettings live, ConsumerSettings consumer,
                          DeadLetterSettings deadLetters, StackModeSettings stack, ApiSettings api,
                          ChartSettings chartSettings, DurableCommits commits, ObjectMapper mapper,
                          BrokerControl brokers, StreamingWatch watch, CaptureViews capture,
                          StepFailures steps) {
        this.connect = connect;
        this.steps = steps;
        this.admins = admins;
        this.live = live;
        this.consumer = consumer;
        this.deadLetterTopic = deadLetters.topic();
        this.stack = stack;
        this.api = api;
        this.chartSettings = chartSettings;
        this.commits = commits;
        this.mapper = mapper;
        this.brokerControl = brokers;
        this.watch = watch;
        this.capture = capture;
    }

    @Override
    public void configure() throws Exception {
        if (!live.enabled()) {
            log.info("Live view off (cdc.live.enabled=false)");
            return;
        }
        String brokers = admins.bootstrapServers();
        Pattern topics = consumer.topicRegex();
        LiveState state = new LiveState(live.eventsKept(), live.eventsPerPush(), live.lagRecordsKept());
        EventDigest.Limits limits = new EventDigest.Limits(live.valueMaxChars(), 500, live.columnsMax());
        // a group of its own per instance: two apps each see every partition, and nothing is committed
        String group = live.group() + "-" + UUID.randomUUID().toString().substring(0, 8);
        // a secured cluster's settings (cdc.kafka.client.*), as every Kafka client of the app takes them
        KafkaClientSettings security = admins.settings();
        ChangeTail tail = new ChangeTail(brokers, security, group, topics, deadLetterTopic, live.backfill(), state, mapper,
                limits);
        PipelineProbe probe = new PipelineProbe(admins, topics, consumer.group(), connect, mapper, state,
                () -> brokerControl.brokerIds().isEmpty() ? null : brokerControl.brokerIds());
        probe.slotView(capture.slot());
        probe.tablesView(capture.tables());
        ChartSeries charts = new ChartSeries(ChartSettings.WINDOW_MILLIS, chartSettings.sampleMillis(), consumer.group());
        charts.lagFrom(probe::lagNow);
        LiveView view = new LiveView(watch, brokerControl, mapper, state, tail, probe,
                stack.embedded() ? StackModeSettings.MODE_EMBEDDED : StackModeSettings.MODE_EXTERNAL, api.url(),
                live.eventsPerPush(), charts, commits::filteredCount, steps::failingNow);
        getContext().addService(view, true, true);
        int port = api.port();
        // the HTTP server's router exists once platform-http has started
        getContext().addStartupListener(AtStart.once(context -> {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                log.warn("No platform-http server: the live view is not served");
                return;
            }
            view.mount(router);
        }));
        ChartSources.connect(charts, commits, watch, capture);
        // the page's subscribers and the charts' series in /observe/metrics, with the app's other meters
        getContext().getRegistry().bind("liveMeters", MeterBinder.class, (MeterBinder) registry -> {
            Gauge.builder("cdc.live.subscribers", view, LiveView::subscribers)
                    .description("Pages of the live view open now").register(registry);
            charts.bindTo(registry);
        });

        from("timer:" + PUSH_LIVE_VIEW + "?period=" + live.pushMillis())
            .routeId(PUSH_LIVE_VIEW)
            .process(e -> view.push());

        from("timer:" + PROBE_PIPELINE + "?period=" + live.probeMillis())
            .routeId(PROBE_PIPELINE)
            .process(e -> view.probe());

        // the charts' last hour is sampled whether or not a page is open (docs/live-view.md#charts)
        from("timer:" + SAMPLE_CHARTS + "?period=" + chartSettings.sampleMillis())
            .routeId(SAMPLE_CHARTS)
            .process(e -> charts.sample(System.currentTimeMillis()));
    }
}
