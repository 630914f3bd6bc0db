package io.cdccamel.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.KafkaAdmins;
import io.cdccamel.KafkaClientSettings;
import io.cdccamel.connect.ConnectApi;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The live view of the pipeline at {@code http://<cdc.api.host>:<cdc.api.port>/}: route
 * {@code push-live-view} sends the open pages what changed every {@code cdc.live.push.ms}, route
 * {@code probe-pipeline} asks Kafka and Connect every {@code cdc.live.probe.ms} while a page is open.
 * Off with {@code cdc.live.enabled=false}.
 */
public class LiveViewRoutes extends RouteBuilder {

    public static final String PUSH_LIVE_VIEW = "push-live-view";
    public static final String PROBE_PIPELINE = "probe-pipeline";
    static final String ENABLED = "{{cdc.live.enabled}}";
    /** The app's one mapper, bound by {@code CdcApplication}. */
    static final String MAPPER_BEAN = "exactJson";

    private final ConnectApi connect;
    private final KafkaAdmins admins;

    /**
     * @param connect the app's Connect client (the probe asks it for the connector's status)
     * @param admins  the app's Kafka admin maker (the probe's admin client)
     */
    public LiveViewRoutes(ConnectApi connect, KafkaAdmins admins) {
        this.connect = connect;
        this.admins = admins;
    }

    @Override
    public void configure() throws Exception {
        if (!Boolean.parseBoolean(getContext().resolvePropertyPlaceholders(ENABLED))) {
            log.info("Live view off (cdc.live.enabled=false)");
            return;
        }
        ObjectMapper mapper = getContext().getRegistry().lookupByNameAndType(MAPPER_BEAN, ObjectMapper.class);
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        String brokers = admins.bootstrapServers();
        Pattern topics = topicPattern(resolved("cdc.topics"), Boolean.parseBoolean(resolved("cdc.topics.pattern")));
        LiveState state = new LiveState(intProperty("cdc.live.events.kept"), intProperty("cdc.live.events.per-push"),
                intProperty("cdc.live.lag.records-kept"));
        EventDigest.Limits limits = new EventDigest.Limits(intProperty("cdc.live.value.max-chars"), 500,
                intProperty("cdc.live.columns.max"));
        // a group of its own per instance: two apps each see every partition, and nothing is committed
        String group = resolved("cdc.live.group") + "-" + UUID.randomUUID().toString().substring(0, 8);
        // a secured cluster's settings (cdc.kafka.client.*), as every Kafka client of the app takes them
        KafkaClientSettings security = admins.settings();
        ChangeTail tail = new ChangeTail(brokers, security, group, topics, resolved("cdc.dead-letter.topic"),
                intProperty("cdc.live.backfill"), state, mapper, limits);
        LiveView[] holder = new LiveView[1];
        PipelineProbe probe = new PipelineProbe(admins, topics, resolved("cdc.consumer.group"), connect, mapper, state,
                () -> holder[0].controlledBrokers());
        @SuppressWarnings("unchecked")
        java.util.function.Supplier<Map<String, Object>> slot = getContext().getRegistry().lookupByNameAndType(
                PipelineProbe.SLOT_VIEW, java.util.function.Supplier.class);
        probe.slotView(slot);
        LiveView view = new LiveView(getContext(), mapper, state, tail, probe, resolved("cdc.mode"),
                intProperty("cdc.live.events.per-push"));
        holder[0] = view;
        getContext().addService(view, true, true);
        int port = intProperty("cdc.api.port");
        // the HTTP server's router exists once platform-http has started
        getContext().addStartupListener((context, alreadyStarted) -> {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                log.warn("No platform-http server: the live view is not served");
                return;
            }
            view.mount(router);
            MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("cdc.live.subscribers", view, LiveView::subscribers)
                        .description("Pages of the live view open now").register(registry);
            }
        });

        from("timer:" + PUSH_LIVE_VIEW + "?period={{cdc.live.push.ms}}")
            .routeId(PUSH_LIVE_VIEW)
            .process(e -> view.push());

        from("timer:" + PROBE_PIPELINE + "?period={{cdc.live.probe.ms}}")
            .routeId(PROBE_PIPELINE)
            .process(e -> view.probe());
    }

    /** {@code cdc.topics} as one pattern, whether it is a pattern or a list of names. */
    public static Pattern topicPattern(String topics, boolean isPattern) {
        if (isPattern) {
            return Pattern.compile(topics);
        }
        return Pattern.compile(Arrays.stream(topics.split("\\s*,\\s*")).map(Pattern::quote).collect(Collectors.joining("|")));
    }

    private String resolved(String key) {
        return getContext().resolvePropertyPlaceholders("{{" + key + "}}");
    }

    private int intProperty(String key) {
        return Integer.parseInt(resolved(key));
    }
}
