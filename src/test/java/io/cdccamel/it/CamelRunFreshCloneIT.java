package io.cdccamel.it;

import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's {@code camel:run} command, as written there, in a copy of the project's files as git
 * holds them (no {@code target/}, no {@code data/}): it compiles, starts the embedded stack and
 * prints the demo row; SIGTERM (Ctrl-C) then stops Maven, the stack and its PostgreSQL. Only ports
 * are changed (free ones, so that a user's running app or another test is not in the way), and the
 * Maven of this build is used, offline when this build is, with its local repository.
 */
class CamelRunFreshCloneIT {

    private static final String TOPIC = "postgres.debezium.product";
    private static final Pattern QUICK_START = Pattern.compile("(?s)## Quick start\\n(.*?)\\n## ");
    private static final Pattern CAMEL_RUN = Pattern.compile("`(mvn [^`]*camel:run[^`]*)`");

    private final Path clone;
    private final Path console;
    private Process maven;

    CamelRunFreshCloneIT() throws IOException {
        Path apps = Files.createDirectories(Path.of("target", "it-apps").toAbsolutePath());
        clone = Files.createTempDirectory(apps, "fresh-clone");
        console = apps.resolve(clone.getFileName() + "-console.txt");
    }

    /** The command the README's quick start gives for {@code camel:run}, split into words. */
    static List<String> readmeCommand(String readme) {
        Matcher section = QUICK_START.matcher(readme);
        assertThat(section.find()).as("README.md has a Quick start section").isTrue();
        Matcher command = CAMEL_RUN.matcher(section.group(1));
        assertThat(command.find()).as("README.md's quick start gives a camel:run command").isTrue();
        return List.of(command.group(1).trim().split("\\s+"));
    }

    /** The files git holds, copied as they are in the work tree: what a fresh clone has. */
    private void copyTrackedFiles() throws Exception {
        Process git = new ProcessBuilder("git", "ls-files", "-z").redirectErrorStream(false).start();
        byte[] listing = git.getInputStream().readAllBytes();
        assertThat(git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0)
                .as("git ls-files in %s (the test runs in the project's git work tree)", Path.of("").toAbsolutePath())
                .isTrue();
        int copied = 0;
        for (String name : new String(listing, StandardCharsets.UTF_8).split("\0")) {
            Path source = Path.of(name);
            if (name.isEmpty() || !Files.isRegularFile(source)) {
                continue; // deleted in the work tree, not yet in a commit
            }
            Path target = clone.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(source, target);
            copied++;
        }
        assertThat(clone.resolve("pom.xml")).exists();
        assertThat(clone.resolve("target")).doesNotExist();
        assertThat(copied).isGreaterThan(10);
    }

    private List<String> command(List<String> readme) {
        assertThat(readme.get(0)).isEqualTo("mvn");
        String mavenHome = System.getProperty("cdc.it.maven.home", "");
        List<String> command = new ArrayList<>();
        command.add(mavenHome.isBlank() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString());
        command.add("-B");
        if (System.getProperty("cdc.it.maven.offline", "").equals("offline=true")) {
            command.add("-o");
        }
        String repository = System.getProperty("cdc.it.maven.repository", "");
        if (!repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.addAll(List.of(
                "-Dcds.skip=true",
                "-Dcdc.postgres.port=" + Ports.freePort(),
                "-Dcdc.kafka.ports=" + Ports.freePort() + "," + Ports.freePort() + "," + Ports.freePort(),
                "-Dcdc.connect.port=" + Ports.freePort(),
                "-Dcdc.api.port=" + Ports.freePort()));
        command.addAll(readme.subList(1, readme.size()));
        return command;
    }

    @Test
    void shouldPrintTheDemoRowWithTheReadmesCamelRunFromAFreshClone() throws Exception {
        List<String> readme = readmeCommand(Files.readString(Path.of("README.md")));
        assertThat(readme).contains("camel:run");
        copyTrackedFiles();

        ProcessBuilder builder = CleanEnvironment.of(new ProcessBuilder(command(readme))).directory(clone.toFile())
                .redirectErrorStream(true).redirectOutput(console.toFile());
        // the heap of Maven's JVM, which runs the app (camel:run runs it in-process)
        builder.environment().put("MAVEN_OPTS", "-Xmx768m");
        maven = builder.start();

        await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String out = Files.readString(console);
            assertThat(maven.isAlive()).as("mvn exited early; see %s", console).isTrue();
            return out.contains("Message on [ Topic: " + TOPIC + " , Partition: ") && out.contains("\"name\": \"first product\"");
        });
        String out = Files.readString(console);
        assertThat(out).doesNotContain("ClassNotFoundException").doesNotContain("BUILD FAILURE");
        assertThat(clone.resolve("target").resolve("classes").resolve("io/cdccamel/CdcApplication.class"))
                .as("compiled by the README's command itself").exists();

        stopAndWait();
    }

    /** SIGTERM, as Ctrl-C: Maven's JVM (its script execs java) ends, and so do its children and PostgreSQL. */
    private void stopAndWait() throws Exception {
        List<ProcessHandle> family = Stream.concat(Stream.of(maven.toHandle()), maven.descendants()).toList();
        maven.destroy();
        assertThat(maven.waitFor(120, TimeUnit.SECONDS)).as("mvn stopped after SIGTERM; see %s", console).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> family.stream().noneMatch(ProcessHandle::isAlive)
                && postmaster().isEmpty());
        assertThat(Files.readString(console)).as("the app stopped its stack itself").contains("Embedded stack stopped in");
    }

    /** The PostgreSQL of the clone's data folder, if one runs (pg_ctl starts it detached from the JVM). */
    private Optional<ProcessHandle> postmaster() {
        try {
            Path pid = clone.resolve("data").resolve("postgres").resolve("data").resolve("postmaster.pid");
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whatever the test left running is ended, then the clone (its data folder with it) is deleted. */
    @AfterEach
    void endEverythingAndDeleteTheClone() throws Exception {
        if (maven != null && maven.isAlive()) {
            List<ProcessHandle> family = Stream.concat(Stream.of(maven.toHandle()), maven.descendants()).toList();
            maven.destroy();
            if (!maven.waitFor(60, TimeUnit.SECONDS)) {
                family.forEach(ProcessHandle::destroyForcibly);
                maven.waitFor();
            }
        }
        postmaster().ifPresent(pm -> {
            pm.destroy();
            pm.onExit().join();
        });
        try (Stream<Path> files = Files.walk(clone)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
        assertThat(clone).doesNotExist();
    }

    @Test
    void shouldReadTheCamelRunCommandFromTheQuickStart() {
        String readme = "# x\n## Quick start\n\n1. run `java -jar a.jar`\n   or `mvn compile camel:run` (fresh clone)\n## Next\n`mvn camel:run`\n";
        assertThat(readmeCommand(readme)).isEqualTo(Arrays.asList("mvn", "compile", "camel:run"));
    }
}
