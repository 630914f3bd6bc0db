package io.cdccamel.bench;

import io.cdccamel.testing.Superuser;
import org.apache.camel.main.Main;
import io.cdccamel.it.Chromium;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.stack.LocalStack;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the live view costs: the app (embedded stack) under {@code -Dbench.rate} (1,000) inserts/s,
 * first with no page open, then with one headless Chromium page on {@code /}: CPU of the JVM, of
 * the live view's threads, RSS, and whether the print route kept up. {@code -Dcdc.live.enabled=false}
 * gives the figures without the live view at all (the second phase is then skipped).
 */
final class LiveViewBench {

    private LiveViewBench() {
    }

    static void run() throws Exception {
        int rate = Bench.intProperty("bench.rate", 1_000);
        int seconds = Bench.intProperty("bench.seconds", 40);
        Path dir = Bench.freshDir("live");
        Main app = Bench.startApp(dir, Map.of());
        LocalStack stack = Bench.stack(app);
        Bench.sql(stack, "CREATE TABLE debezium.live_rows (id bigint PRIMARY KEY, name text, qty int, note text)");
        DurableCommits commits = app.getCamelContext().getRegistry()
                .findSingleByType(DurableCommits.class);
        AtomicLong next = new AtomicLong(1);
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        Connection c = Superuser.connect(stack);
        Statement s = c.createStatement();
        int perTick = rate / 10;
        load.scheduleAtFixedRate(() -> {
            long first = next.getAndAdd(perTick);
            try {
                s.execute("INSERT INTO debezium.live_rows SELECT g, 'row ' || g, g % 97, repeat('x', 64) FROM generate_series("
                        + first + ", " + (first + perTick - 1) + ") g");
            } catch (Exception e) {
                Bench.progress("insert failed: %s", e);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        Bench.progress("inserting %d rows/s; warming up until 20 s of them are printed", rate);
        long warmUp = commits.recordCount() + 20L * rate;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> commits.recordCount() >= warmUp);
        phase("no page open", seconds, commits, next);
        boolean live = Boolean.parseBoolean(app.getCamelContext().resolvePropertyPlaceholders("{{cdc.live.enabled}}"));
        if (live) {
            String url = "http://127.0.0.1:" + app.getCamelContext().resolvePropertyPlaceholders("{{cdc.api.port}}") + "/";
            try (Chromium browser = Chromium.start(Files.createTempDirectory("bench-chromium"), 1400, 1000)) {
                Chromium.Tab tab = browser.open(url);
                // the page has connected and shows the stream before its phase is measured
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> tab.eval("document.querySelectorAll('#events li').length").asInt() > 0);
                phase("one page open", seconds, commits, next);
                Bench.figure("  page: %s events in its list, %s", tab.eval("document.querySelectorAll('#events li').length"),
                        tab.eval("document.getElementById('stream-note').textContent").asText());
                tab.screenshot(Bench.DIR.resolve("live-view-1000.png"));
            }
        }
        load.shutdownNow();
        c.close();
        Bench.stop(app);
    }

    private static void phase(String name, int seconds, DurableCommits commits, AtomicLong next) throws Exception {
        CpuUse cpu = new CpuUse();
        long committedAtStart = commits.recordCount();
        long insertedAtStart = next.get();
        // one sample a second over the phase's window (a measurement period, not a wait for something)
        java.util.concurrent.atomic.AtomicLong rss = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong heap = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.ScheduledFuture<?> sampling = sampler.scheduleAtFixedRate(() -> {
            // the JVM alone: Chromium, when open, is a child process like PostgreSQL
            rss.accumulateAndGet(Bench.rssKb(ProcessHandle.current().pid()) / 1024, Math::max);
            heap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024), Math::max);
        }, 1, 1, TimeUnit.SECONDS);
        // the phase ends when its window does (periodic tasks stop at shutdown, so not before)
        sampler.schedule(() -> sampling.cancel(false), seconds, TimeUnit.SECONDS).get();
        sampler.shutdown();
        long rssMax = rss.get();
        long heapMax = heap.get();
        Bench.figure("live view, %s: %d rows inserted, %d events printed in %d s (%.0f/s); max RSS of the JVM %d MB, "
                        + "max heap used %d MB", name, next.get() - insertedAtStart, commits.recordCount() - committedAtStart,
                seconds, (commits.recordCount() - committedAtStart) / (double) seconds, rssMax, heapMax);
        Bench.figure("  %s", cpu.since());
    }
}
