package io.cdccamel.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ChangeEvent;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.OutputFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputIndexerTest {

    private static final ObjectMapper JSON = ExactJson.newObjectMapper();
    private static final String TOPIC = "postgres.shop.orders";
    private static final String FILE = OutputFormat.fileName(TOPIC);
    private static final long T0 = 1795614764000L;

    @TempDir
    Path tmp;

    private final Map<String, Long> journaled = new HashMap<>();
    private final AtomicLong kafkaOffset = new AtomicLong();
    private final List<OutputIndexer> indexers = new ArrayList<>();

    @AfterEach
    void close() {
        indexers.forEach(OutputIndexer::close);
    }

    private Path out() {
        return tmp.resolve("output");
    }

    private OutputIndexer indexer() {
        OutputIndexer indexer = new OutputIndexer(out(), tmp.resolve("data/search"), journaled::get,
                table -> table.equals("shop.lines") ? List.of("order_id", "line") : List.of("id"), 100);
        indexers.add(indexer);
        return indexer;
    }

    private static String row(Object id, String name, String amount) {
        return "{\"id\":" + id + ",\"name\":" + JSON.valueToTree(name) + ",\"amount\":" + amount + "}";
    }

    private String event(String topic, String op, String before, String after, long ts) throws IOException {
        String table = topic.substring(topic.indexOf('.') + 1);
        String json = "{\"before\":" + before + ",\"after\":" + after + ",\"op\":\"" + op + "\",\"source\":{\"schema\":\""
                + table.substring(0, table.indexOf('.')) + "\",\"table\":\"" + table.substring(table.indexOf('.') + 1)
                + "\",\"ts_ms\":" + ts + "},\"ts_ms\":" + (ts + 7) + ",\"ts_ns\":1795614764561916013}";
        JsonNode value = JSON.readTree(json);
        return OutputFormat.event(topic, 1, kafkaOffset.getAndIncrement(), ChangeEvent.of(value));
    }

    private void append(String file, String text) throws IOException {
        Files.createDirectories(out());
        Files.writeString(out().resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void append(String text) throws IOException {
        append(FILE, text);
    }

    /** Order 4711's history among other orders: insert, two updates, delete, tombstone. */
    private void history() throws IOException {
        append(event(TOPIC, "c", "null", row(1, "other", "1.00"), T0));
        append(event(TOPIC, "c", "null", row(4711, "first", "10.00"), T0 + 1));
        append(event(TOPIC, "u", row(4711, "first", "10.00"), row(4711, "first", "10.50"), T0 + 2));
        append(event(TOPIC, "u", row(1, "other", "1.00"), row(1, "other", "2.00"), T0 + 3));
        append(event(TOPIC, "u", row(4711, "first", "10.50"), row(4711, "line1\nline2 \"quoted\" \u0085 ✓", "10.50"), T0 + 4));
        append(event(TOPIC, "d", row(4711, "line1\nline2 \"quoted\" \u0085 ✓", "10.50"), "null", T0 + 5));
        append(OutputFormat.tombstone(TOPIC, 1, kafkaOffset.getAndIncrement(), "Struct{id=4711}"));
    }

    private static EventSearch.Page search(OutputIndexer indexer, String... params) throws IOException {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new EventSearch(indexer).search(EventSearch.Query.parse(map));
    }

    private static List<Object> ops(EventSearch.Page page) {
        return page.events().stream().map(h -> h.get("op")).toList();
    }

    @Test
    void shouldFindOneKeysHistoryNewestFirstByValueAndByKeyJson() throws IOException {
        history();
        OutputIndexer indexer = indexer();
        assertThat(indexer.runOnce()).isEqualTo(7);

        EventSearch.Page byValue = search(indexer, "key", "4711");
        EventSearch.Page byJson = search(indexer, "key", "{\"id\":4711}", "table", "shop.orders");

        assertThat(ops(byValue)).containsExactly("tombstone", "d", "u", "u", "c");
        assertThat(ops(byJson)).containsExactly("tombstone", "d", "u", "u", "c");
        assertThat(byValue.next()).isNull();
        Map<String, Object> update = byValue.events().get(2);
        assertThat(update).containsEntry("topic", TOPIC).containsEntry("partition", 1).containsEntry("offset", 4L)
                .containsEntry("table", "shop.orders").containsEntry("ts", "2026-11-25T13:52:44.004Z")
                .containsEntry("ts_ms", T0 + 4);
        assertThat(update.get("changed")).isEqualTo(List.of("name"));
        // the envelope exactly as printed: numbers keep their literal
        JsonNode envelope = (JsonNode) update.get("envelope");
        assertThat(JSON.writeValueAsString(envelope)).contains("\"amount\":10.50").contains("\"ts_ns\":1795614764561916013")
                .contains("line1\\nline2 \\\"quoted\\\"");
        assertThat(byValue.events().get(4).get("changed")).isEqualTo(List.of("amount", "id", "name"));
        assertThat(byValue.events().get(0)).containsEntry("printedKey", "Struct{id=4711}").containsEntry("envelope", null);
        assertThat(search(indexer, "key", "1").events()).hasSize(2);
        assertThat(search(indexer, "key", "471").events()).isEmpty();
    }

    @Test
    void shouldFilterByOpTimeAndTable() throws IOException {
        history();
        append(OutputFormat.fileName("postgres.shop.lines"),
                event("postgres.shop.lines", "c", "null", "{\"order_id\":4711,\"line\":\"a,line=2\",\"qty\":3}", T0 + 2));
        OutputIndexer indexer = indexer();
        indexer.runOnce();

        assertThat(ops(search(indexer, "op", "u,d"))).containsExactly("d", "u", "u", "u");
        assertThat(ops(search(indexer, "op", "tombstone"))).containsExactly("tombstone");
        assertThat(search(indexer, "from", "2026-11-25T13:52:44.002Z", "to", "2026-11-25T13:52:44.004Z").events())
                .extracting(h -> h.get("ts_ms")).containsExactlyInAnyOrder(T0 + 2, T0 + 2, T0 + 3);
        assertThat(search(indexer, "table", "shop.lines").events()).hasSize(1);
        assertThat(search(indexer, "table", "postgres.shop.lines").events()).hasSize(1);
        assertThat(search(indexer, "table", "shop.nothing").events()).isEmpty();
        // a two-column key: the JSON form, with a value holding the separators of Struct's text
        assertThat(search(indexer, "key", "{\"line\":\"a,line=2\",\"order_id\":4711}").events()).singleElement()
                .satisfies(h -> assertThat(h).containsEntry("table", "shop.lines"));
        assertThat(search(indexer, "key", "{\"order_id\":4711}").events()).isEmpty();
    }

    @Test
    void shouldNeverShowAnotherKeysEventOnAHashCollision() throws IOException {
        history();
        OutputIndexer indexer = indexer();
        indexer.runOnce();
        SearchIndex index = indexer.index();
        // a record with 4711's hash pointing at order 1's insert (the first entry): what a collision looks like
        SearchIndex.FileState file = index.files().get(0);
        index.add((byte) 'c', index.table(TOPIC).id(), T0, KeyText.parse("4711").hash(), file.id(), 0);
        index.checkpoint(Map.of());

        EventSearch.Page page = search(indexer, "key", "4711");

        assertThat(ops(page)).containsExactly("tombstone", "d", "u", "u", "c");
        assertThat(page.events()).allSatisfy(h -> assertThat(h.get("key")).isEqualTo(Map.of("id", h.get("op").equals("tombstone")
                ? "4711" : ((JsonNode) h.get("envelope")).at(h.get("op").equals("d") ? "/before/id" : "/after/id"))));
    }

    @Test
    void shouldPageWithACursorAndRefuseACursorOfAnotherIndex() throws IOException {
        for (int i = 0; i < 120; i++) {
            append(event(TOPIC, "c", "null", row(i, "n" + i, "1"), T0 + i));
        }
        OutputIndexer indexer = indexer();
        indexer.runOnce();

        EventSearch.Page first = search(indexer, "limit", "50");
        EventSearch.Page second = search(indexer, "limit", "50", "before", first.next());
        EventSearch.Page third = search(indexer, "limit", "50", "before", second.next());

        assertThat(first.events()).extracting(h -> h.get("offset")).first().isEqualTo(119L);
        assertThat(first.events()).extracting(h -> h.get("offset")).last().isEqualTo(70L);
        assertThat(second.events()).extracting(h -> h.get("offset")).first().isEqualTo(69L);
        assertThat(third.events()).hasSize(20).extracting(h -> h.get("offset")).last().isEqualTo(0L);
        assertThat(third.next()).isNull();
        // new events printed meanwhile do not move a page
        append(event(TOPIC, "c", "null", row(500, "late", "1"), T0 + 500));
        indexer.runOnce();
        assertThat(search(indexer, "limit", "50", "before", first.next()).events()).isEqualTo(second.events());

        OutputIndexer other = new OutputIndexer(out(), tmp.resolve("other"), f -> null, t -> List.of("id"), 100);
        indexers.add(other);
        other.runOnce();
        assertThatThrownBy(() -> search(other, "before", first.next())).isInstanceOf(EventSearch.BadQueryException.class)
                .hasMessageContaining("earlier search index");
        assertThatThrownBy(() -> search(other, "before", "garbage!")).isInstanceOf(EventSearch.BadQueryException.class)
                .hasMessageContaining("not a cursor");
    }

    @Test
    void shouldIndexAPartiallyWrittenLastEntryOnlyOnceItIsWhole() throws IOException {
        history();
        String last = event(TOPIC, "c", "null", row(9, "nine", "9"), T0 + 9);
        append(last.substring(0, last.length() / 2));
        OutputIndexer indexer = indexer();
        indexer.runOnce();
        assertThat(search(indexer, "key", "9").events()).isEmpty();

        append(last.substring(last.length() / 2));
        indexer.runOnce();

        assertThat(search(indexer, "key", "9").events()).hasSize(1);
        assertThat(indexer.index().count()).isEqualTo(8);
    }

    @Test
    void shouldIndexOnlyUpToTheJournaledLength() throws IOException {
        history();
        journaled.put(FILE, Files.size(out().resolve(FILE)));
        append(event(TOPIC, "c", "null", row(9, "nine", "9"), T0 + 9)); // appended, not journaled yet: a restart may cut it
        OutputIndexer indexer = indexer();
        indexer.runOnce();
        assertThat(search(indexer, "key", "9").events()).isEmpty();

        journaled.put(FILE, Files.size(out().resolve(FILE)));
        indexer.runOnce();

        assertThat(search(indexer, "key", "9").events()).hasSize(1);
    }

    @Test
    void shouldFollowARotatedFileAndResumeFromItsCheckpointAfterARestart() throws IOException {
        history();
        OutputIndexer first = indexer();
        first.runOnce();
        first.close();
        Files.move(out().resolve(FILE), out().resolve(FILE + ".1")); // cdc.output.max-bytes, or logrotate's create
        append(event(TOPIC, "c", "null", row(4711, "again", "1"), T0 + 10));

        OutputIndexer second = indexer();
        assertThat(second.runOnce()).isEqualTo(1); // the new file's one event; nothing read twice

        EventSearch.Page page = search(second, "key", "4711");
        assertThat(ops(page)).containsExactly("c", "tombstone", "d", "u", "u", "c");
        assertThat(page.events()).extracting(h -> h.get("file")).containsExactly(FILE, FILE + ".1", FILE + ".1", FILE + ".1",
                FILE + ".1", FILE + ".1");
    }

    @Test
    void shouldRebuildADamagedIndexFromTheFiles() throws IOException {
        history();
        OutputIndexer first = indexer();
        first.runOnce();
        first.close();
        Path records = tmp.resolve("data/search").resolve(SearchIndex.RECORDS);
        byte[] bytes = Files.readAllBytes(records);
        bytes[SearchIndex.HEADER + 2 * SearchIndex.RECORD + 9] ^= 0x40;
        Files.write(records, bytes);

        OutputIndexer second = indexer();
        assertThat(second.runOnce()).isEqualTo(7);

        assertThat(ops(search(second, "key", "4711"))).containsExactly("tombstone", "d", "u", "u", "c");
    }

    @Test
    void shouldPassOverEntriesThatChangedUnderTheIndex() throws IOException {
        history();
        OutputIndexer indexer = indexer();
        indexer.runOnce();
        // the file replaced by other text of the same first line (an outside edit): records pointing into it are stale
        List<String> lines = Files.readAllLines(out().resolve(FILE));
        Files.writeString(out().resolve(FILE), String.join("\n", lines.subList(0, 3)) + "\n");

        assertThat(search(indexer, "key", "4711").events()).isEmpty();
    }

    @Test
    void shouldForgetAFileReplacedUnderItsName() throws IOException {
        history();
        OutputIndexer indexer = indexer();
        indexer.runOnce();
        // the output folder replaced: the same name, a file that starts anew (its first line differs), the rest alike
        String text = Files.readString(out().resolve(FILE));
        Files.delete(out().resolve(FILE));
        append(text.replaceFirst("Offset: 0 \\]", "Offset: 9 ]"));

        assertThat(indexer.runOnce()).isEqualTo(7);

        // each event once: the old file's records would read the new file's entries at the same offsets
        assertThat(ops(search(indexer, "key", "4711"))).containsExactly("tombstone", "d", "u", "u", "c");
    }

    @Test
    void shouldRefuseBadParametersWithAReason() {
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("op", "x"))).hasMessageContaining("op \"x\" is not one of");
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("from", "yesterday"))).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("from", "2026-12-05T00:00:00Z", "to", "2026-12-04T00:00:00Z")))
                .hasMessageContaining("from must be before to");
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("limit", "501"))).hasMessageContaining("1 to 500");
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("limit", "ten"))).hasMessageContaining("not a number");
        assertThatThrownBy(() -> EventSearch.Query.parse(Map.of("key", "{\"id\":"))).hasMessageContaining("not a JSON object");
        assertThat(EventSearch.Query.parse(Map.of()).limit()).isEqualTo(50);
        assertThat(EventSearch.Query.parse(Map.of("key", "\"abc\"")).key().bare()).isEqualTo("abc");
        assertThat(EventSearch.Query.parse(Map.of("key", "abc def")).key().bare()).isEqualTo("abc def");
    }

    @Test
    void shouldReadKeysOfTombstonesWithHostileValues() {
        assertThat(KeyText.ofStruct("Struct{id=4711}", List.of("id"))).isEqualTo(Map.of("id", "4711"));
        assertThat(KeyText.ofStruct("Struct{a=x,b=1,b=2,c=}", List.of("a", "b", "c")))
                .isEqualTo(Map.of("a", "x", "b", "1,b=2", "c", ""));
        assertThat(KeyText.unescapeLine("Struct{id=a\\nb \\u0085 \"q\"}")).isEqualTo("Struct{id=a\nb \u0085 \"q\"}");
        assertThat(KeyText.ofStruct("Struct{other=1}", List.of("id"))).isEmpty();
    }
}
