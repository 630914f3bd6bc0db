package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tutorial's failover, automated on the real embedded stack: while 10,000 inserted rows
 * stream, the broker leading partition 0 stops; a new leader takes over, nothing is lost, a new
 * consumer group still reads everything, and the ISR heals when the broker returns.
 */
@ExtendWith(EmbeddedStackExtension.class)
class FailoverIT {

    private static final int ROWS = 10_000;
    private static final int BATCH = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path workDir;

    private TestApp app;
    private Integer stoppedBroker;

    @AfterEach
    void restoreTheClusterAndStop() throws Exception {
        if (stoppedBroker != null) {
            EmbeddedStackExtension.stack().kafka().startBroker(stoppedBroker);
        }
        if (app != null) {
            app.closeAndRemoveConnector();
        }
    }

    private JsonNode describe() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + "/api/topics/" + app.topic()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    private static JsonNode partition(JsonNode topic, int partition) {
        for (JsonNode p : topic.path("partitions")) {
            if (p.path("partition").asInt() == partition) {
                return p;
            }
        }
        throw new AssertionError("no partition " + partition + " in " + topic);
    }

    private JsonNode post(String path) throws Exception {
        // as curl does it: with the token of this start
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(app.apiUrl() + path))
                .header("Authorization", "Bearer " + app.apiToken())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    private List<Entry> creates() {
        return OutputEntries.read(app.outputFile()).stream().filter(e -> "c".equals(e.op())).toList();
    }

    private int printedInserts() {
        return OutputEntries.countOp(app.outputFile(), "c");
    }

    @Test
    void shouldLoseNothingWhenTheLeaderOfPartition0StopsMidStream() throws Exception {
        Db.createProductTable("it_failover");
        app = TestApp.start("it_failover", "failover_connector", "failover", workDir, true);
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        // rows go in 100 per transaction, never more than 1,000 ahead of the printed output
        CompletableFuture<Void> inserting = CompletableFuture.runAsync(() -> {
            for (int first = 1; first <= ROWS; first += BATCH) {
                int from = first;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> printedInserts() >= from - 1_000);
                try {
                    Db.exec("INSERT INTO it_failover.product SELECT g, 'row ' || g FROM generate_series("
                            + from + ", " + (from + BATCH - 1) + ") g ON CONFLICT (id) DO NOTHING");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        await().atMost(Duration.ofSeconds(90)).until(() -> printedInserts() >= 3_000);
        int leader = partition(describe(), 0).path("leader").asInt();
        int printedAtStop = printedInserts();
        long stoppedAt = System.nanoTime();
        assertThat(post("/api/brokers/" + leader + "/stop").path("state").asText()).isEqualTo("stopped");
        stoppedBroker = leader;

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode p0 = partition(describe(), 0);
            return p0.path("leader").asInt() != leader && p0.path("leader").asInt() >= 0
                    && !p0.path("isr").toString().matches(".*\\b" + leader + "\\b.*");
        });
        long takeoverMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        JsonNode p0 = partition(describe(), 0);
        assertThat(p0.path("leader").asInt()).isNotEqualTo(leader);
        assertThat(p0.path("isr")).hasSize(2);

        inserting.get();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> printedInserts() >= ROWS);
        int printedDuringOutage = printedInserts() - printedAtStop;

        Set<Integer> inserted = IntStream.rangeClosed(1, ROWS).boxed().collect(Collectors.toSet());
        List<Entry> printed = creates();
        // Kafka holds each insert once: one position per id, and every position printed
        Map<String, Integer> idByPosition = new HashMap<>();
        for (Entry e : printed) {
            idByPosition.put(e.partition() + "/" + e.offset(), e.json().path("after").path("id").asInt());
        }
        assertThat(idByPosition).hasSize(ROWS);
        assertThat(new HashSet<>(idByPosition.values())).isEqualTo(inserted);
        // a record the consumer reads again after its group's coordinator moved is not written twice
        assertThat(printed).hasSize(ROWS);
        int redelivered = printed.size() - idByPosition.size();

        // a new consumer group reads every event from the beginning while the broker is still down
        Set<Integer> replayed = TopicInserts.countById(app.topic(), ROWS).keySet();
        assertThat(replayed).isEqualTo(inserted);

        assertThat(post("/api/brokers/" + leader + "/start").path("state").asText()).isEqualTo("running");
        stoppedBroker = null;
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (JsonNode p : describe().path("partitions")) {
                if (p.path("isr").size() != 3) {
                    return false;
                }
            }
            return true;
        });

        System.out.printf("FAILOVER FIGURES: broker %d stopped; new leader of partition 0 after %d ms; "
                + "%d events printed during the outage; %d inserted, %d distinct positions printed, %d redelivered, "
                + "%d replayed by a new group%n", leader, takeoverMillis, printedDuringOutage, inserted.size(),
                idByPosition.size(), redelivered, replayed.size());
    }
}
