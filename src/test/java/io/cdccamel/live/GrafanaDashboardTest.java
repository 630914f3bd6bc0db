package io.cdccamel.live;

import io.cdccamel.testing.GrafanaDashboard;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/grafana-dashboard.json is a dashboard whose every panel queries metrics; which of them
 * {@code /observe/metrics} really exports is checked against a running app by {@code ChartsIT}.
 */
class GrafanaDashboardTest {

    @Test
    void shouldReadTheMetricNamesOfAnExpressionAndNothingElse() {
        assertThat(GrafanaDashboard.metricNames(
                "sum by (topic) (rate(cdc_printed_events_total{instance=~\"$instance\", topic!=\"x_total\"}[1m]))"))
                .containsExactly("cdc_printed_events_total");
        assertThat(GrafanaDashboard.metricNames("cdc_a / on (slot) group_left cdc_b > bool 0 or vector(0)"))
                .containsExactly("cdc_a", "cdc_b");
        assertThat(GrafanaDashboard.exported("""
                # HELP cdc_a_total x
                # TYPE cdc_a_total counter
                cdc_a_total{topic="t"} 3.0
                cdc_b 1.0
                """)).containsExactly("cdc_a_total", "cdc_b");
        assertThat(GrafanaDashboard.value("cdc_a_total{topic=\"t\"} 3.0\ncdc_a_total{topic=\"u\"} 4.0\n", "cdc_a_total",
                "topic=\"u\"")).isEqualTo(4.0);
    }

    @Test
    void shouldQueryTheChartsSeriesInEveryPanel() throws Exception {
        GrafanaDashboard dashboard = GrafanaDashboard.read();
        Map<String, List<String>> panels = dashboard.expressions();
        assertThat(panels).hasSizeGreaterThanOrEqualTo(5);
        panels.forEach((title, exprs) -> {
            assertThat(exprs).as(title).isNotEmpty();
            exprs.forEach(e -> assertThat(GrafanaDashboard.metricNames(e)).as(title + ": " + e).isNotEmpty());
        });
        Set<String> used = new java.util.TreeSet<>();
        panels.values().forEach(exprs -> exprs.forEach(e -> used.addAll(GrafanaDashboard.metricNames(e))));
        assertThat(used).contains("cdc_printed_events_total", "cdc_consumer_lag_records",
                "cdc_debezium_milliseconds_behind_source", "cdc_slot_retained_wal_bytes", "cdc_snapshot_rows");
        assertThat(dashboard.variableMetrics()).containsExactly("cdc_records_committed_total");
        assertThat(dashboard.root().path("uid").asText()).isEqualTo("cdc-camel");
    }
}
