package io.cdccamel.settings;

/**
 * {@code cdc.live.*}: the live view at {@code /} (docs/live-view.md).
 *
 * @param enabled        {@code cdc.live.enabled}: serve the page and run its reader
 * @param group          {@code cdc.live.group}: prefix of the view's own consumer group
 * @param pushMillis     {@code cdc.live.push.ms}: how often open pages get what changed
 * @param probeMillis    {@code cdc.live.probe.ms}: how often Kafka and Connect are asked
 * @param eventsPerPush  {@code cdc.live.events.per-push}
 * @param eventsKept     {@code cdc.live.events.kept}
 * @param backfill       {@code cdc.live.backfill}: records read back from each partition's end at start
 * @param valueMaxChars  {@code cdc.live.value.max-chars}
 * @param columnsMax     {@code cdc.live.columns.max}
 * @param lagRecordsKept {@code cdc.live.lag.records-kept}
 */
public record LiveSettings(boolean enabled, String group, long pushMillis, long probeMillis, int eventsPerPush,
                           int eventsKept, int backfill, int valueMaxChars, int columnsMax, int lagRecordsKept) {

    public static final String ENABLED = "cdc.live.enabled";
    public static final String GROUP = "cdc.live.group";
    public static final String PUSH_MS = "cdc.live.push.ms";
    public static final String PROBE_MS = "cdc.live.probe.ms";
    public static final String EVENTS_PER_PUSH = "cdc.live.events.per-push";
    public static final String EVENTS_KEPT = "cdc.live.events.kept";
    public static final String BACKFILL = "cdc.live.backfill";
    public static final String VALUE_MAX_CHARS = "cdc.live.value.max-chars";
    public static final String COLUMNS_MAX = "cdc.live.columns.max";
    public static final String LAG_RECORDS_KEPT = "cdc.live.lag.records-kept";

    public static LiveSettings read(SettingsReader settings) {
        return new LiveSettings(settings.flag(ENABLED, true), settings.text(GROUP, settings.text(ConsumerSettings.GROUP, ConsumerSettings.DEFAULT_GROUP) + "-live"),
                settings.whole(PUSH_MS, 300, 1), settings.whole(PROBE_MS, 1000, 1),
                settings.number(EVENTS_PER_PUSH, 60, 1), settings.number(EVENTS_KEPT, 200, 1),
                settings.number(BACKFILL, 20, 0), settings.number(VALUE_MAX_CHARS, 300, 1),
                settings.number(COLUMNS_MAX, 100, 1), settings.number(LAG_RECORDS_KEPT, 16384, 1));
    }
}
