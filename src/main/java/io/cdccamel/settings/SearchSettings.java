package io.cdccamel.settings;

import java.nio.file.Path;

/**
 * {@code cdc.search.*}: the index over the printed history (docs/search.md).
 *
 * @param enabled        {@code cdc.search.enabled}: off, no index is kept and {@code GET /api/events} says so
 * @param dirSetting     {@code cdc.search.dir}: the index's folder; empty: {@code <cdc.stack.dir>/search}
 * @param intervalMillis {@code cdc.search.interval.ms}: how often the indexer reads what was printed since
 */
public record SearchSettings(boolean enabled, String dirSetting, long intervalMillis) {

    public static final String ENABLED = "cdc.search.enabled";
    public static final String DIR = "cdc.search.dir";
    public static final String INTERVAL_MS = "cdc.search.interval.ms";

    public static SearchSettings read(SettingsReader settings) {
        return new SearchSettings(settings.flag(ENABLED, true), settings.text(DIR, ""), settings.whole(INTERVAL_MS, 500, 10));
    }

    /** The index's folder: {@code cdc.search.dir}, else {@code search} in the data folder. */
    public Path dir(Path stackDir) {
        return dirSetting.isBlank() ? stackDir.resolve("search") : Path.of(dirSetting);
    }
}
