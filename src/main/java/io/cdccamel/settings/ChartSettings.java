package io.cdccamel.settings;

/**
 * {@code cdc.live.charts.*}: the live page's charts of the last hour (docs/live-view.md#charts).
 *
 * @param sampleMillis {@code cdc.live.charts.sample.ms}: one sample of every series this often; an hour of them is
 *                     kept ({@code 3,600,000 / sampleMillis}: 720 at the default 5 s)
 */
public record ChartSettings(long sampleMillis) {

    public static final String SAMPLE_MS = "cdc.live.charts.sample.ms";
    /** What the charts keep: the last hour. */
    public static final long WINDOW_MILLIS = 3_600_000;

    public static ChartSettings read(SettingsReader settings) {
        return new ChartSettings(settings.whole(SAMPLE_MS, 5000, 100));
    }

    /** Samples kept: an hour's. */
    public int samplesKept() {
        return (int) (WINDOW_MILLIS / sampleMillis);
    }
}
