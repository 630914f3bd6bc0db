package io.cdccamel.it;

import io.cdccamel.events.OutputFormat;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.route.RouteEditsTest;
import io.cdccamel.testing.Superuser;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped YAML route edited while the app runs and rows stream in: the test uncomments its
 * {@code drop-deletes} example (as RouteEditsTest does) in the app's routes folder, Camel reloads
 * the route, and across the reload every insert is written once, each delete either written once
 * (before the edit took effect) or counted as filtered (after), never both, and every consumed
 * record is committed.
 */
@ExtendWith(EmbeddedStackExtension.class)
class RouteReloadIT {

    private static final String SCHEMA = "it_route_reload";
    private static final String CONNECTOR = "route_reload_connector";
    private static final String INSTANCE = "route-reload";
    /** Rows per INSERT statement; the middle one of each is deleted by the next statement. */
    private static final int BATCH = 5;
    private static final long TICK_MS = 20;
    /** Rows written before the edit is saved. */
    private static final int BEFORE_EDIT = 1_000;
    /** Rows inserted once the reload is observed: their deletes can only meet the edited route. */
    private static final int AFTER_RELOAD = 3_000;
    /** A bound on the inserts, should the reload never be observed (the wait for it fails first). */
    private static final int MAX_ROWS = 50_000;
    private static final Pattern TOMBSTONE_ID = Pattern.compile("tombstone \\(null value\\) for key Struct\\{id=(\\d+)}");

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    /** Inserts {@value #BATCH} rows and deletes one of them every {@value #TICK_MS} ms on a connection of its own. */
    private static final class Inserter implements Runnable {
        final AtomicInteger nextId;
        final Set<Integer> deleted = ConcurrentHashMap.newKeySet();
        /** Deletes whose statements started after the reload was observed. */
        final AtomicInteger deletesAfterReload = new AtomicInteger();
        /** The id after the last row to insert: set at the first tick after the reload is observed. */
        private int endId = MAX_ROWS + 1;
        private boolean endSet;
        volatile boolean reloaded;
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        private final Connection connection;

        Inserter(int firstId) throws java.sql.SQLException {
            nextId = new AtomicInteger(firstId);
            connection = Superuser.connect(EmbeddedStackExtension.stack());
        }

        @Override
        public void run() {
            if (done.isDone()) {
                return;
            }
            boolean afterReload = reloaded; // read before the statements: their events can only meet the new route
            int from = nextId.get();
            if (afterReload && !endSet) {
                endSet = true;
                endId = from + AFTER_RELOAD;
            }
            try (Statement s = connection.createStatement()) {
                if (from >= endId) {
                    done.complete(from - 1);
                    return;
                }
                s.execute("INSERT INTO " + SCHEMA + ".product SELECT g, 'row ' || g FROM generate_series(" + from + ", "
                        + (from + BATCH - 1) + ") g");
                nextId.set(from + BATCH);
                int victim = from + BATCH / 2;
                s.execute("DELETE FROM " + SCHEMA + ".product WHERE id = " + victim);
                deleted.add(victim);
                if (afterReload) {
                    deletesAfterReload.incrementAndGet();
                }
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        }

        /** From the next tick on, {@value #AFTER_RELOAD} more rows and the deletes among them. */
        void reloadObserved() {
            reloaded = true;
        }

        void close() throws java.sql.SQLException {
            connection.close();
        }
    }

    private static int inserts(Path file) {
        return OutputEntries.countOp(file, "c") + OutputEntries.countOp(file, "r");
    }

    private static boolean dropsDeletes(TestApp app) {
        RouteDefinition definition = ((ModelCamelContext) app.camel()).getRouteDefinition("print-change-events");
        return definition != null && definition.getOutputs().stream()
                .anyMatch(o -> o instanceof BeanDefinition b && b.getMethod() != null && b.getMethod().startsWith("dropOperations("));
    }

    @Test
    void shouldWriteEveryRowOnceAndFilterDeletesOnceTheEditedRouteReloadsWhileRowsStream() throws Exception {
        Db.createProductTable(SCHEMA);
        TestApp app = apps.start(SCHEMA, CONNECTOR, INSTANCE);
        Path file = app.outputFile();
        Path yaml = app.routesDir.resolve("print-change-events.camel.yaml");
        assertThat(dropsDeletes(app)).as("the shipped route drops no deletes").isFalse();

        // the connector streams before any delete: a row inserted and deleted before its snapshot leaves no trace
        Db.exec("INSERT INTO " + SCHEMA + ".product SELECT g, 'row ' || g FROM generate_series(1, 100) g");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> inserts(file) >= 100);

        Inserter inserter = new Inserter(101);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        int lastId;
        int deletesPrintedAtReload;
        long reloadMs;
        try {
            timer.scheduleAtFixedRate(inserter, 0, TICK_MS, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inserts(file) >= BEFORE_EDIT || inserter.done.isDone());
            assertThat(inserter.done).as("the inserts run when the edit is saved").isNotDone();
            assertThat(OutputEntries.countOp(file, "d")).as("deletes written before the edit").isPositive();

            // the edit, as a user makes it: the drop-deletes example uncommented, saved in place
            Route before = app.camel().getRoute("print-change-events");
            long saved = System.nanoTime();
            Files.writeString(yaml, RouteEditsTest.uncomment(Files.readString(yaml), "drop-deletes"));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Route now = app.camel().getRoute("print-change-events");
                return now != null && now != before && dropsDeletes(app)
                        && app.camel().getRouteController().getRouteStatus("print-change-events") == ServiceStatus.Started;
            });
            reloadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - saved);
            // the old route is stopped and removed before the new one is added: nothing it reads writes a delete
            deletesPrintedAtReload = OutputEntries.countOp(file, "d");
            inserter.reloadObserved();
            lastId = inserter.done.get(180, TimeUnit.SECONDS);
        } finally {
            timer.shutdownNow();
            timer.awaitTermination(30, TimeUnit.SECONDS);
            inserter.close();
        }
        assertThat(inserter.deletesAfterReload.get()).as("deletes made once the edited route runs")
                .isEqualTo(AFTER_RELOAD / BATCH);
        int deletes = inserter.deleted.size();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> inserts(file) >= lastId
                        && OutputEntries.read(file).stream().filter(Entry::isTombstone).count() >= deletes);
        // every consumed record committed: the group reaches the end of each partition
        // (the end offset may lie one past the last record: the transaction's commit marker)
        GroupOffsets.awaitCommittedToTheEnd("group-" + INSTANCE);

        List<Entry> entries = OutputEntries.read(file);
        List<Integer> inserted = entries.stream().filter(e -> "c".equals(e.op()) || "r".equals(e.op()))
                .map(e -> e.row().path("id").asInt()).toList();
        assertThat(Set.copyOf(inserted)).as("every insert written")
                .isEqualTo(IntStream.rangeClosed(1, lastId).boxed().collect(Collectors.toSet()));
        assertThat(inserted).as("no insert written twice").hasSize(lastId);

        List<Integer> printedDeletes = entries.stream().filter(e -> "d".equals(e.op()))
                .map(e -> e.row().path("id").asInt()).toList();
        assertThat(printedDeletes).as("deletes written once each, all before the edit took effect")
                .doesNotHaveDuplicates().hasSize(deletesPrintedAtReload);
        assertThat(inserter.deleted).containsAll(printedDeletes);
        List<Integer> tombstones = entries.stream().filter(Entry::isTombstone).map(e -> {
            Matcher m = TOMBSTONE_ID.matcher(e.text());
            assertThat(m.find()).as("a tombstone's key: %s", e.text()).isTrue();
            return Integer.parseInt(m.group(1));
        }).toList();
        assertThat(tombstones).as("each delete's tombstone written once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(inserter.deleted);
        assertThat(entries).as("nothing but the table's inserts, deletes and tombstones")
                .hasSize(inserted.size() + printedDeletes.size() + tombstones.size());
        assertThat(app.outputDir.resolve(OutputFormat.DEAD_LETTER_FILE)).doesNotExist();

        // every delete not written was filtered, counted once: the metric is bumped just after the commit
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(app.metric("cdc_output_filtered_total")).as("filtered deletes (%d made, %d written)",
                        deletes, printedDeletes.size()).isEqualTo(deletes - printedDeletes.size()));
        long filtered = app.metric("cdc_output_filtered_total");
        assertThat(filtered).as("the deletes made once the edited route ran were filtered")
                .isGreaterThanOrEqualTo(inserter.deletesAfterReload.get());
        System.out.printf("ROUTE RELOAD FIGURES: reload seen %d ms after the save; %d rows inserted, %d deleted: "
                        + "%d deletes written before the edit took effect, %d filtered (%d made after the reload was seen)%n",
                reloadMs, lastId, deletes, printedDeletes.size(), filtered, inserter.deletesAfterReload.get());
    }
}
