package io.cdccamel.live;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open pages: one server-sent-events response each. Every push writes one message to all of
 * them; a page whose connection does not keep up (its write queue is full) misses that message
 * rather than piling memory up here, and a closed tab's response leaves the set when its
 * connection closes.
 */
final class LiveHub {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.live-view");

    private final Set<HttpServerResponse> pages = ConcurrentHashMap.newKeySet();
    private final AtomicLong missed = new AtomicLong();

    /** Opens the event stream of one page and sends it {@code first}. */
    void subscribe(RoutingContext ctx, String first) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no");
        response.closeHandler(v -> leave(response, ctx.request().remoteAddress()));
        response.exceptionHandler(e -> leave(response, ctx.request().remoteAddress()));
        pages.add(response);
        // tells the browser to reconnect after 2 s if the app restarts
        response.write("retry: 2000\n\n");
        send(response, first);
        LOG.info("Live view opened by {} ({} page(s) open)", ctx.request().remoteAddress(), pages.size());
    }

    private void leave(HttpServerResponse response, Object who) {
        if (pages.remove(response)) {
            LOG.info("Live view closed by {} ({} page(s) open)", who, pages.size());
        }
    }

    void broadcast(String json) {
        for (HttpServerResponse page : pages) {
            if (page.closed()) {
                pages.remove(page);
            } else if (page.writeQueueFull()) {
                missed.incrementAndGet();
            } else {
                send(page, json);
            }
        }
    }

    private void send(HttpServerResponse page, String json) {
        page.write("event: update\ndata: " + json + "\n\n").onFailure(e -> pages.remove(page));
    }

    int count() {
        return pages.size();
    }

    long missed() {
        return missed.get();
    }

    void closeAll() {
        for (HttpServerResponse page : pages) {
            try {
                page.end();
            } catch (RuntimeException e) {
                // already closed
            }
        }
        pages.clear();
    }
}
