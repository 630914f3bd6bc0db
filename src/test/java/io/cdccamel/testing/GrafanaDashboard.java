package io.cdccamel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code docs/grafana-dashboard.json} as the tests read it: each panel's PromQL expressions and the
 * metric names they use (and the dashboard variables' {@code label_values(metric, label)}), and a
 * Prometheus text exposition's metric names, so a test can tell the dashboard asks only for what
 * {@code /observe/metrics} exports.
 */
public final class GrafanaDashboard {

    public static final Path FILE = Path.of("docs", "grafana-dashboard.json");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

    private final JsonNode root;

    private GrafanaDashboard(JsonNode root) {
        this.root = root;
    }

    public static GrafanaDashboard read() throws IOException {
        return new GrafanaDashboard(new ObjectMapper().readTree(Files.readString(FILE)));
    }

    public JsonNode root() {
        return root;
    }

    /** Per panel title, its targets' expressions. */
    public Map<String, List<String>> expressions() {
        Map<String, List<String>> panels = new LinkedHashMap<>();
        for (JsonNode panel : root.path("panels")) {
            List<String> exprs = new java.util.ArrayList<>();
            panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
            panels.put(panel.path("title").asText(), exprs);
        }
        return panels;
    }

    /** The metric names the variables' queries read ({@code label_values(metric, label)}). */
    public Set<String> variableMetrics() {
        Set<String> names = new TreeSet<>();
        for (JsonNode v : root.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(v.path("definition").asText() + " " + v.path("query").path("query").asText());
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The metric names a PromQL expression reads: identifiers outside matchers, ranges and groupings, not functions. */
    public static Set<String> metricNames(String expr) {
        String rest = STRING.matcher(expr).replaceAll("\"\"");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The metric names with at least one sample in a Prometheus text exposition. */
    public static Set<String> exported(String prometheusText) {
        Set<String> names = new TreeSet<>();
        for (String line : prometheusText.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** The value of the first sample of {@code name} whose labels contain every {@code label="value"} given, or null. */
    public static Double value(String prometheusText, String name, String... labels) {
        for (String line : prometheusText.split("\n")) {
            if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                String[] parts = line.trim().split(" ");
                String v = line.contains("}") ? line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0] : parts[1];
                return Double.valueOf(v);
            }
        }
        return null;
    }
}
