package io.cdccamel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A feature package uses of another feature package only the types that one publishes (marked
 * {@code @Published}); the ground floor is everyone's and uses no feature (docs/configuration.md,
 * "Package boundaries"). A use is a qualified name in code, an import included, as
 * {@link PackageCyclesTest} reads them.
 */
class FeatureBoundariesTest {

    static final Set<String> FEATURES = Set.of("api", "ops", "connect", "capture", "route", "live", "search", "stack");
    static final Set<String> GROUND_FLOOR = Set.of("base", "settings", "events", "store", "kafka", "folder");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+io\\.cdccamel\\.?([\\w.]*)\\s*;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])io\\.cdccamel\\.([a-z_]\\w*)\\.([A-Z]\\w*)");
    private static final Pattern PUBLISHED = Pattern.compile("@(io\\.cdccamel\\.base\\.)?Published\\s+(@[\\w.]+(\\([^)]*\\))?\\s+)*"
            + "public\\s+(final\\s+|abstract\\s+|sealed\\s+)*(class|interface|record|enum|@interface)\\s+(\\w+)");

    @Test
    void shouldUseOfAnotherFeatureOnlyWhatItPublishes() throws IOException {
        Map<String, String> sources = sources();
        assertThat(sources).as("sources read").containsKeys("io/cdccamel/live/LiveView.java", "io/cdccamel/route/DurableCommits.java");
        Set<String> packages = new java.util.TreeSet<>();
        sources.keySet().forEach(p -> packages.add(packageOf(p)));
        assertThat(packages).as("every package is a feature or of the ground floor (or the root, which wires them)")
                .allMatch(p -> p.isEmpty() || FEATURES.contains(p) || GROUND_FLOOR.contains(p));

        assertThat(crossings(sources)).as("uses of another feature's own types, or of a feature by the ground floor").isEmpty();
    }

    @Test
    void shouldNameAUseOfAnUnpublishedTypeAndAFeatureUsedByTheGroundFloor() {
        Map<String, String> sources = new TreeMap<>(Map.of(
                "io/cdccamel/live/A.java", "package io.cdccamel.live;\nimport io.cdccamel.route.Own;\nimport io.cdccamel.route.Open;\n"
                        + "class A { Own o; Open p; io.cdccamel.events.Format f; }",
                "io/cdccamel/route/Own.java", "package io.cdccamel.route;\npublic class Own { }",
                "io/cdccamel/route/Open.java", "package io.cdccamel.route;\nimport io.cdccamel.base.Published;\n"
                        + "/** {@link io.cdccamel.live.A} uses it. */\n@Published\npublic final class Open { }",
                "io/cdccamel/events/Format.java", "package io.cdccamel.events;\npublic class Format { io.cdccamel.route.Open o; }"));

        assertThat(crossings(sources)).containsExactly(
                "io.cdccamel.events (Format) uses io.cdccamel.route.Open: the ground floor uses no feature",
                "io.cdccamel.live (A) uses io.cdccamel.route.Own, which route does not publish (@Published)");
    }

    /** Each use that breaks the rule, one line each. */
    static List<String> crossings(Map<String, String> sources) {
        Map<String, Boolean> published = new TreeMap<>();
        sources.forEach((path, source) -> {
            Matcher m = PUBLISHED.matcher(PackageCyclesTest.codeOnly(source));
            while (m.find()) {
                published.put(packageOf(path) + "." + m.group(6), true);
            }
        });
        List<String> found = new ArrayList<>();
        sources.forEach((path, source) -> {
            String from = packageOf(path);
            String type = Path.of(path).getFileName().toString().replaceFirst("\\.java$", "");
            Matcher use = QUALIFIED.matcher(PackageCyclesTest.codeOnly(source));
            Set<String> seen = new java.util.HashSet<>();
            while (use.find()) {
                String to = use.group(1);
                String target = "io.cdccamel." + to + "." + use.group(2);
                if (to.equals(from) || !FEATURES.contains(to) || !seen.add(target)) {
                    continue;
                }
                if (GROUND_FLOOR.contains(from)) {
                    found.add("io.cdccamel." + from + " (" + type + ") uses " + target + ": the ground floor uses no feature");
                } else if (FEATURES.contains(from) && !published.containsKey(to + "." + use.group(2))) {
                    found.add("io.cdccamel." + from + " (" + type + ") uses " + target + ", which " + to
                            + " does not publish (@Published)");
                }
            }
        });
        java.util.Collections.sort(found);
        return found;
    }

    private static String packageOf(String path) {
        Path parent = Path.of(path).getParent();
        String p = parent.toString().replace('\\', '/');
        return p.equals("io/cdccamel") ? "" : p.substring("io/cdccamel/".length()).replace('/', '.');
    }

    private static Map<String, String> sources() throws IOException {
        Map<String, String> sources = new TreeMap<>();
        Path root = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                assertThat(declared.find()).as("package declaration of %s", file).isTrue();
                sources.put(root.relativize(file).toString().replace('\\', '/'), source);
            }
        }
        return sources;
    }
}
