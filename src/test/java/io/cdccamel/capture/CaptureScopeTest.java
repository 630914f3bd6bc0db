package io.cdccamel.capture;

import io.debezium.relational.TableId;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class CaptureScopeTest {

    private static CaptureScope scope(String... keysAndValues) {
        Map<String, String> config = new HashMap<>();
        config.put("topic.prefix", "postgres");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return CaptureScope.of(config);
    }

    /** The scope of the config with the app's derived settings applied, as Debezium then filters. */
    private static CaptureScope withDerived(CaptureScope scope, Map<String, String> base, List<String> partitions) {
        Map<String, String> config = new HashMap<>(base);
        config.putAll(scope.partitionSettings(partitions));
        return CaptureScope.of(config);
    }

    @Test
    void shouldCaptureEverySchemaButPostgresOwnAndTheAppsWhenNothingIsNamed() {
        CaptureScope all = scope();
        assertThat(all.captures("public", "orders")).isTrue();
        assertThat(all.captures("sales", "x")).isTrue();
        assertThat(all.captures("pg_catalog", "pg_class")).isFalse();
        assertThat(all.captures("information_schema", "tables")).isFalse();
        assertThat(all.captures("cdc_camel", "signal_debezium")).isFalse();
        assertThat(all.bySchemaOnly()).isTrue();
        assertThat(all.capturesSchema("public")).isTrue();
        assertThat(all.capturesSchema("pg_toast")).isFalse();
    }

    @Test
    void shouldFollowDebeziumsIncludeAndExcludeListsAsRegularExpressions() {
        CaptureScope schemas = scope("schema.include.list", "debezium,sales_.*");
        assertThat(schemas.captures("debezium", "product")).isTrue();
        assertThat(schemas.captures("sales_eu", "orders")).isTrue();
        assertThat(schemas.captures("public", "orders")).isFalse();
        assertThat(schemas.capturesSchema("sales_us")).isTrue();
        assertThat(schemas.capturesSchema("debezium2")).as("whole-name match").isFalse();

        CaptureScope tables = scope("table.include.list", "public\\.orders,public\\.items_.*");
        assertThat(tables.captures("public", "orders")).isTrue();
        assertThat(tables.captures("public", "items_2024")).isTrue();
        assertThat(tables.captures("public", "orders_archive")).isFalse();
        assertThat(tables.bySchemaOnly()).isFalse();

        CaptureScope excluded = scope("schema.include.list", "public", "table.exclude.list", "public\\.audit");
        assertThat(excluded.captures("public", "audit")).isFalse();
        assertThat(excluded.captures("public", "orders")).isTrue();
        assertThat(excluded.bySchemaOnly()).isFalse();
    }

    @Test
    void shouldLeavePartitionsOutOfWhatDebeziumSnapshotsWhicheverListNamesThem() {
        List<String> partitions = List.of("public.orders_2024", "public.orders_2025");
        Map<String, String> bySchema = Map.of("topic.prefix", "postgres", "schema.include.list", "public");
        CaptureScope a = withDerived(CaptureScope.of(bySchema), bySchema, partitions);
        assertThat(a.captures("public", "orders")).isTrue();
        assertThat(a.captures("public", "orders_2024")).isFalse();
        assertThat(a.captures("public", "orders_2025")).isFalse();
        assertThat(a.captures("public", "orders_2026_extra")).isTrue();

        Map<String, String> byTable = Map.of("topic.prefix", "postgres", "table.include.list", "public\\.orders.*");
        CaptureScope b = withDerived(CaptureScope.of(byTable), byTable, partitions);
        assertThat(b.captures("public", "orders")).isTrue();
        assertThat(b.captures("public", "orders_2024")).isFalse();
        assertThat(b.captures("public", "orders_2027")).as("a partition made later is not excluded by name").isTrue();
        assertThat(CaptureScope.of(byTable).partitionSettings(partitions)).doesNotContainKey("table.exclude.list")
                .as("Debezium refuses an include and an exclude list of tables together");

        Map<String, String> withExclude = Map.of("topic.prefix", "postgres", "schema.include.list", "public",
                "table.exclude.list", "public\\.audit");
        CaptureScope c = withDerived(CaptureScope.of(withExclude), withExclude, partitions);
        assertThat(c.captures("public", "audit")).isFalse();
        assertThat(c.captures("public", "orders_2024")).isFalse();
        assertThat(c.captures("public", "orders")).isTrue();
    }

    @Test
    void shouldEscapeEveryCharacterARegexGivesAMeaningTo() {
        String name = "we.ird$(na|me)+*?[x]{1}^";
        assertThat(Pattern.compile(CaptureScope.regexLiteral(name)).matcher(name).matches()).isTrue();
        assertThat(Pattern.compile(CaptureScope.regexLiteral("a.b")).matcher("aXb").matches()).isFalse();
    }

    @Test
    void shouldPrintEveryTopicOfTheConnectorsPrefixAndNoOther() {
        CaptureScope s = scope("topic.prefix", "my.app");
        Pattern topics = Pattern.compile(s.topicPattern());
        assertThat(topics.matcher("my.app.public.orders").matches()).isTrue();
        assertThat(topics.matcher("my.app.message").matches()).isTrue();
        assertThat(topics.matcher("myXapp.public.orders").matches()).isFalse();
        assertThat(topics.matcher("other.public.orders").matches()).isFalse();
        assertThat(s.topicPattern()).as("the path of a kafka: URI takes no '?'").doesNotContain("?");
        assertThat(s.topicOf("public", "orders")).isEqualTo("my.app.public.orders");
    }

    @Test
    void shouldAddTheSignalChannelAndDropTheSignalTablesRowsBeforeTheUsersOwnTransforms() {
        CaptureSync sync = new CaptureSync(new CaptureSync.Settings("jdbc:postgresql://nowhere/db", "u", "p", "cdc_connector",
                "my_slot", "pub", true, true), Map.of("topic.prefix", "postgres", "transforms", "unwrap",
                "transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"));
        Map<String, String> derived = sync.derivedConnectorSettings();
        assertThat(derived).containsEntry("signal.enabled.channels", "source")
                .containsEntry("signal.data.collection", "cdc_camel.signal_my_slot")
                .containsEntry("transforms", "cdcCamelDropSignals,unwrap")
                .containsEntry("predicates", "cdcCamelSignalTopic")
                .containsEntry("publish.via.partition.root", "true")
                .containsEntry("notification.enabled.channels", "sink")
                .containsEntry("notification.sink.topic.name", "cdc_camel.notifications.connector");
        assertThat(Pattern.compile(sync.scope().topicPattern()).matcher(derived.get("notification.sink.topic.name")).matches())
                .as("the notifications are not printed").isFalse();
        Pattern signalTopic = Pattern.compile(derived.get("predicates.cdcCamelSignalTopic.pattern"));
        assertThat(signalTopic.matcher("postgres.cdc_camel.signal_my_slot").matches()).isTrue();
        assertThat(signalTopic.matcher("postgres.cdc_camel.heartbeat").matches()).isTrue();
        assertThat(signalTopic.matcher("postgres.public.orders").matches()).isFalse();
    }

    /** Debezium's own column filter, as the connector builds it from the config with the app's settings. */
    private static io.debezium.connector.postgresql.PostgresConnectorConfig debezium(Map<String, String> base,
                                                                                     Map<String, String> derived) {
        Map<String, String> config = new HashMap<>(base);
        config.putAll(derived);
        config.putIfAbsent("topic.prefix", "postgres");
        config.putIfAbsent("database.dbname", "postgres");
        return new io.debezium.connector.postgresql.PostgresConnectorConfig(io.debezium.config.Configuration.from(config));
    }

    @Test
    void shouldLeaveOutExactlyTheGeneratedColumnsWhateverTheirNames() {
        Map<String, String> base = Map.of("schema.include.list", "public,odd");
        Map<TableId, List<String>> generated = Map.of(new TableId(null, "public", "film"), List.of("fulltext", "total"),
                new TableId(null, "odd", "a+b"), List.of("x,y", "sum.v2", "(z)"), new TableId(null, "dotted.schema", "t.1"),
                List.of("c"));
        var config = debezium(base, scope("schema.include.list", "public,odd").generatedColumnSettings(generated));
        var filter = config.getColumnFilter();
        assertThat(config.isColumnsFiltered()).isTrue();
        assertThat(filter.matches(null, "public", "film", "fulltext")).isFalse();
        assertThat(filter.matches(null, "public", "film", "total")).isFalse();
        assertThat(filter.matches(null, "public", "film", "title")).isTrue();
        assertThat(filter.matches(null, "public", "film", "totals")).as("a literal, not a prefix").isTrue();
        assertThat(filter.matches(null, "public", "films", "total")).isTrue();
        assertThat(filter.matches(null, "odd", "a+b", "x,y")).isFalse();
        assertThat(filter.matches(null, "odd", "a+b", "sum.v2")).isFalse();
        assertThat(filter.matches(null, "odd", "a+b", "(z)")).isFalse();
        assertThat(filter.matches(null, "odd", "aab", "x,y")).as("'+' is no pattern").isTrue();
        assertThat(filter.matches(null, "odd", "a+b", "x")).isTrue();
        assertThat(filter.matches(null, "odd", "a+b", "sumxv2")).as("'.' is no pattern").isTrue();
        assertThat(filter.matches(null, "dotted.schema", "t.1", "c")).isFalse();
        assertThat(filter.matches(null, "dotted.schema", "t.1", "d")).isTrue();
    }

    @Test
    void shouldKeepTheUsersColumnListsAndStillSetOneWithoutGeneratedColumns() {
        // nothing generated: a list that names no column, so that Debezium's incremental snapshot selects its model's columns
        var none = debezium(Map.of(), scope().generatedColumnSettings(Map.of()));
        assertThat(none.isColumnsFiltered()).isTrue();
        assertThat(none.getColumnFilter().matches(null, "public", "film", "total")).isTrue();
        assertThat(scope().generatedColumnSettings(Map.of())).containsEntry("column.exclude.list", CaptureScope.NO_COLUMN);

        // the user's exclude list stays, the generated columns are added
        Map<String, String> excluding = Map.of("column.exclude.list", "public\\.people\\.secret");
        var both = debezium(excluding, scope("column.exclude.list", "public\\.people\\.secret")
                .generatedColumnSettings(Map.of(new TableId(null, "public", "film"), List.of("total"))));
        assertThat(both.getColumnFilter().matches(null, "public", "people", "secret")).isFalse();
        assertThat(both.getColumnFilter().matches(null, "public", "film", "total")).isFalse();
        assertThat(both.getColumnFilter().matches(null, "public", "film", "id")).isTrue();

        // the user's include list (the two lists may not both be set) is made to skip them
        Map<String, String> including = Map.of("column.include.list", "public\\.film\\..*");
        Map<String, String> derived = scope("column.include.list", "public\\.film\\..*")
                .generatedColumnSettings(Map.of(new TableId(null, "public", "film"), List.of("total")));
        assertThat(derived).doesNotContainKey("column.exclude.list");
        var included = debezium(including, derived);
        assertThat(included.getColumnFilter().matches(null, "public", "film", "total")).isFalse();
        assertThat(included.getColumnFilter().matches(null, "public", "film", "title")).isTrue();
        assertThat(included.getColumnFilter().matches(null, "public", "other", "title")).isFalse();
        assertThat(scope("column.include.list", "public\\.film\\..*").generatedColumnSettings(Map.of())).isEmpty();
    }

    @Test
    void shouldSendEachTableNameToDebeziumAsAPatternThatMatchesItAlone() {
        List<String> names = CaptureScope.dataCollections(java.util.Set.of("s.a+b", "s.orders.v2", "s.plain"));
        assertThat(names).containsExactly("s\\.a\\+b", "s\\.orders\\.v2", "s\\.plain");
        assertThat(Pattern.compile(names.get(0)).matcher("s.a+b").matches()).isTrue();
        assertThat(Pattern.compile(names.get(0)).matcher("s.aab").matches()).isFalse();
        assertThat(Pattern.compile(names.get(1)).matcher("s.orders.v2").matches()).isTrue();
        assertThat(Pattern.compile(names.get(1)).matcher("sXordersXv2").matches()).isFalse();
    }
}
