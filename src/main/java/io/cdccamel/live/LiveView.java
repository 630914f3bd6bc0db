package io.cdccamel.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.ops.BrokerControl;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The live view's parts and its pages on the API's HTTP server: {@code /} (the page), {@code /live/*}
 * (its script and style, from the jar), {@code /live/events} (the event stream) and
 * {@code /live/state} (the same state as JSON, for scripts and tests).
 */
final class LiveView implements Service {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.live-view");
    static final String PAGE = "/";
    static final String EVENTS = "/live/events";
    static final String STATE = "/live/state";
    private static final long STATE_WATCH_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Map<String, String> FILES = Map.of(
            "/live/live.js", "application/javascript; charset=utf-8",
            "/live/control.js", "application/javascript; charset=utf-8",
            "/live/live.css", "text/css; charset=utf-8",
            "/live/search.js", "application/javascript; charset=utf-8",
            "/live/search.css", "text/css; charset=utf-8");

    private final StreamingWatch watch;
    private final BrokerControl brokers;
    private final ObjectMapper mapper;
    private final LiveState state;
    private final ChangeTail tail;
    private final PipelineProbe probe;
    private final LiveHub hub = new LiveHub();
    private final String mode;
    private final String address;
    private final int firstEvents;
    private final ChartSeries charts;
    private final LongSupplier filtered;
    private final java.util.function.Supplier<String> stepsFailing;
    private volatile Map<String, Object> pipeline = Map.of();
    private long lastWriteAt;
    /** When {@code /live/state} was last asked for ({@code System.nanoTime}), or 0: the view reads for a while after. */
    private volatile long stateAskedAt;

    LiveView(StreamingWatch watch, BrokerControl brokers, ObjectMapper mapper, LiveState state, ChangeTail tail, PipelineProbe probe,
             String mode, String address, int firstEvents, ChartSeries charts, LongSupplier filtered,
             java.util.function.Supplier<String> stepsFailing) {
        this.watch = watch;
        this.brokers = brokers;
        this.mapper = mapper;
        this.state = state;
        this.tail = tail;
        this.probe = probe;
        this.mode = mode;
        this.address = address;
        this.firstEvents = firstEvents;
        this.charts = charts;
        this.filtered = filtered;
        this.stepsFailing = stepsFailing;
    }

    /** The embedded brokers' ids, or null (external mode): the page shows stop/start buttons only with them. */
    Set<Integer> controlledBrokers() {
        return brokers.brokerIds().isEmpty() ? null : brokers.brokerIds();
    }

    /**
     * Adds the handlers to the router of the API's server (platform-http, Vert.x): the live view's
     * one Vert.x piece, kept out of the REST DSL on purpose. {@code /live/events} is a server-sent
     * event stream held open per page and written from the push timer, which a Camel exchange (one
     * request, one answer) cannot hold; the page and its files are served from memory on the event
     * loop; {@code /live/state} sits with them so the page's parts answer from one place.
     */
    void mount(Router router) {
        Map<String, Buffer> files = new LinkedHashMap<>();
        files.put(PAGE, resource("live/index.html"));
        FILES.keySet().forEach(path -> files.put(path, resource(path.substring(1))));
        router.get(PAGE).handler(ctx -> serve(ctx, files.get(PAGE), "text/html; charset=utf-8"));
        FILES.forEach((path, type) -> router.get(path).handler(ctx -> serve(ctx, files.get(path), type)));
        ChartSeries.mount(router);
        router.get(EVENTS).handler(ctx -> hub.subscribe(ctx, json(message(state.recent(), 0, true))));
        router.get(STATE).handler(ctx -> {
            stateAskedAt = System.nanoTime();
            ctx.response().putHeader("Content-Type", "application/json").end(json(stateView()));
        });
        LOG.info("Live view on {}{}", address, PAGE);
    }

    private static void serve(RoutingContext ctx, Buffer body, String type) {
        ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", "no-cache").end(body);
    }

    private static Buffer resource(String name) {
        try (InputStream in = LiveView.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The jar lacks " + name);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** One push: the new events and the state, to every open page (nothing is built when none is open). */
    void push() {
        LiveState.Batch batch = state.drain();
        long now = System.currentTimeMillis();
        if (hub.count() == 0) {
            return;
        }
        if (batch.events().isEmpty() && now - lastWriteAt < 1_000) {
            return;
        }
        lastWriteAt = now;
        hub.broadcast(json(message(batch.events(), batch.skipped(), false)));
    }

    /** Asks Kafka and Connect, while a page is open. */
    void probe() {
        if (hub.count() == 0) {
            return;
        }
        pipeline = probe.read();
    }

    /** One message of {@code /live/events}: the first a page gets ({@code first}), or a push's. */
    Map<String, Object> message(List<EventDigest> events, long skipped, boolean first) {
        Map<String, Object> m = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        m.put("now", now);
        m.put("first", first);
        m.put("mode", mode);
        m.put("events", events.size() > firstEvents && first ? events.subList(events.size() - firstEvents, events.size())
                : events);
        m.put("skipped", skipped);
        m.put("eventCount", state.eventCount());
        m.put("tables", state.tables(now));
        m.put("deadLetters", state.deadLetters());
        m.put("output", output());
        // the first message goes out on the HTTP server's event loop: it never waits for Kafka
        m.put("pipeline", pipeline);
        m.put("snapshot", snapshot());
        Map<String, Object> series = charts.forPage(first);
        if (series != null) {
            m.put("charts", series);
        }
        return m;
    }

    private Map<String, Object> snapshot() {
        return watch == null ? Map.of("phase", "unknown") : watch.progress().view();
    }

    /**
     * The print route's output as the page shows it: {@code filtered}, the change events its steps left
     * out since start, their offsets committed ({@code cdc_output_filtered_total}). Always a number, 0
     * included: any step (a filter, a split, a bean) may leave events out, so no route is known not to.
     * {@code stepsFailing}, while its steps fail on records not written yet: what they fail on and why.
     */
    private Map<String, Object> output() {
        String failing = stepsFailing.get();
        return failing == null ? Map.of("filtered", filtered.getAsLong())
                : Map.of("filtered", filtered.getAsLong(), "stepsFailing", failing);
    }

    Map<String, Object> stateView() {
        Map<String, Object> view = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        view.put("subscribers", hub.count());
        view.put("missedWrites", hub.missed());
        view.put("eventCount", state.eventCount());
        view.put("tables", state.tables(now));
        view.put("deadLetters", state.deadLetters());
        view.put("output", output());
        view.put("snapshot", snapshot());
        view.put("pipeline", pipeline);
        view.put("charts", charts.forPage(true));
        return view;
    }

    int subscribers() {
        return hub.count();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Somebody looks: a page is open, or the state was asked for in the last minute. */
    boolean watched() {
        long asked = stateAskedAt;
        return hub.count() > 0 || asked != 0 && System.nanoTime() - asked < STATE_WATCH_NANOS;
    }

    @Override
    public void start() {
        tail.start(this::watched);
    }

    @Override
    public void stop() {
        hub.closeAll();
        tail.close();
        probe.close();
    }
}
