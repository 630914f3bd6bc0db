package io.cdccamel.capture;

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
