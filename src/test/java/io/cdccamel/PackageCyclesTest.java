package io.cdccamel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No package of the app uses a package that uses it back, directly or through others: each
 * package can then be read (and changed) knowing only the ones below it. The root package counts
 * too: it holds the entry point and the wiring, which use everything, so nothing may use it.
 * A use is an {@code import io.cdccamel...} or a qualified name in code (comments and string
 * literals do not count).
 */
class PackageCyclesTest {

    private static final String ROOT = "io.cdccamel";
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A qualified name of the app: packages in lower case, then a type (or a wildcard import). */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])io\\.cdccamel((?:\\.[a-z_][\\w]*)*)\\.(?:([A-Z]\\w*)|\\*)");

    @Test
    void shouldFindNoPackageThatUsesOneThatUsesItBack() throws IOException {
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                sources.put(file.toString(), Files.readString(file));
            }
        }
        Map<String, Map<String, String>> uses = uses(sources);
        assertThat(uses).as("packages read from src/main/java").containsKeys(ROOT, ROOT + ".connect", ROOT + ".live");

        assertThat(cycles(uses)).as("package cycles").isEmpty();
    }

    @Test
    void shouldNameEachStepOfACycleThroughThreePackages() {
        Map<String, String> sources = Map.of(
                "A.java", "package io.cdccamel.a;\nimport io.cdccamel.b.B;\nclass A { B b; }",
                "B.java", "package io.cdccamel.b;\nclass B { io.cdccamel.c.C c; }",
                "C.java", "package io.cdccamel.c;\nimport static io.cdccamel.a.A.run;\nclass C { }",
                "D.java", "package io.cdccamel.d;\nimport io.cdccamel.a.A;\nclass D { }");

        assertThat(cycles(uses(sources))).containsExactly(
                "io.cdccamel.a -> io.cdccamel.b (A uses B) -> io.cdccamel.c (B uses C) -> io.cdccamel.a (C uses A)");
    }

    @Test
    void shouldNotCountNamesInCommentsOrStrings() {
        Map<String, String> sources = Map.of(
                "A.java", "package io.cdccamel.a;\nimport io.cdccamel.b.B;\nclass A { B b; }",
                "B.java", """
                        package io.cdccamel.b;
                        /** Called by {@link io.cdccamel.a.A}, see "/*" below. */
                        class B {
                            // io.cdccamel.a.A again
                            String s = "io.cdccamel.a.A /*";
                            char c = '"';
                            String t = \"""
                                io.cdccamel.a.A
                                \""";
                        }
                        """);

        Map<String, Map<String, String>> uses = uses(sources);

        assertThat(uses.get("io.cdccamel.a")).containsOnlyKeys("io.cdccamel.b");
        assertThat(uses.get("io.cdccamel.b")).isEmpty();
        assertThat(cycles(uses)).isEmpty();
    }

    /** For each package, the packages it uses, each with the first use found ("X uses Y"). */
    static Map<String, Map<String, String>> uses(Map<String, String> sourcesByPath) {
        Map<String, Map<String, String>> uses = new TreeMap<>();
        sourcesByPath.forEach((path, source) -> {
            String fileName = Path.of(path).getFileName().toString();
            Matcher declared = PACKAGE.matcher(source);
            assertThat(declared.find()).as("package declaration of %s", fileName).isTrue();
            String from = declared.group(1);
            Map<String, String> used = uses.computeIfAbsent(from, p -> new TreeMap<>());
            String type = fileName.replaceFirst("\\.java$", "");
            Matcher name = QUALIFIED.matcher(codeOnly(source.substring(declared.end())));
            while (name.find()) {
                String to = ROOT + name.group(1);
                if (!to.equals(from)) {
                    used.putIfAbsent(to, type + " uses " + (name.group(2) == null ? to + ".*" : name.group(2)));
                }
            }
        });
        return uses;
    }

    /** The source with comments, string and text-block literals and char literals blanked out. */
    static String codeOnly(String source) {
        StringBuilder code = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                code.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = i + 3;
                while (end < n && !source.startsWith("\"\"\"", end)) {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                i = Math.min(n, end + 3);
                code.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < n && source.charAt(end) != c) {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                i = Math.min(n, end + 1);
                code.append(c).append(c);
            } else {
                code.append(c);
                i++;
            }
        }
        return code.toString();
    }

    /**
     * One cycle per group of packages that reach each other (Tarjan's strongly connected
     * components), written as the path round it with the use behind each step.
     */
    static List<String> cycles(Map<String, Map<String, String>> uses) {
        List<String> cycles = new ArrayList<>();
        for (TreeSet<String> component : stronglyConnected(uses)) {
            if (component.size() < 2) {
                continue;
            }
            cycles.add(pathRound(component.first(), component, uses));
        }
        return cycles;
    }

    /** The shortest way from {@code start} back to itself inside {@code component}. */
    private static String pathRound(String start, TreeSet<String> component, Map<String, Map<String, String>> uses) {
        Map<String, String> cameFrom = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String at = queue.removeFirst();
            for (String next : uses.getOrDefault(at, Map.of()).keySet()) {
                if (!component.contains(next) || cameFrom.containsKey(next)) {
                    continue;
                }
                cameFrom.put(next, at);
                if (next.equals(start)) {
                    queue.clear();
                    break;
                }
                queue.addLast(next);
            }
        }
        List<String> steps = new ArrayList<>();
        String at = start;
        do {
            String previous = cameFrom.get(at);
            steps.add(0, " -> " + at + " (" + uses.get(previous).get(at) + ")");
            at = previous;
        } while (!at.equals(start));
        return start + String.join("", steps);
    }

    private static List<TreeSet<String>> stronglyConnected(Map<String, Map<String, String>> uses) {
        Map<String, Integer> index = new TreeMap<>();
        Map<String, Integer> low = new TreeMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<TreeSet<String>> components = new ArrayList<>();
        for (String p : uses.keySet()) {
            if (!index.containsKey(p)) {
                connect(p, uses, index, low, stack, components);
            }
        }
        return components;
    }

    private static void connect(String p, Map<String, Map<String, String>> uses, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, List<TreeSet<String>> components) {
        index.put(p, index.size());
        low.put(p, index.get(p));
        stack.push(p);
        for (String q : uses.getOrDefault(p, Map.of()).keySet()) {
            if (!index.containsKey(q)) {
                connect(q, uses, index, low, stack, components);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (stack.contains(q)) {
                low.put(p, Math.min(low.get(p), index.get(q)));
            }
        }
        if (low.get(p).equals(index.get(p))) {
            TreeSet<String> component = new TreeSet<>();
            String q;
            do {
                q = stack.pop();
                component.add(q);
            } while (!q.equals(p));
            components.add(component);
        }
    }
}
