package io.cdccamel.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mvn package}'s training run wrote {@code target/cdc-camel.jsa}, and the quick start's
 * {@code java} can map it for {@code target/cdc-camel.jar}: with {@code -Xshare:on} the JVM refuses
 * to start when it cannot, and the app's own classes, Camel's and Connect's come from the archive,
 * not from the jars. The app is started with a mode it refuses, so that it stops right after
 * Camel Main has read its settings.
 */
class CdsArchiveIT {

    @Test
    void theQuickStartsJvmMapsTheArchiveTheBuildWrote() throws Exception {
        Path archive = Path.of("target", "cdc-camel.jsa").toAbsolutePath();
        assertThat(archive).as("written by mvn package (not with -Dcds.skip=true)").exists();
        Path log = Files.createTempFile("cds-check", ".log");
        // the java of the PATH, as the README's command and the training run use
        Process app = CleanEnvironment.of(new ProcessBuilder(List.of("java", "-Xmx512m", "-XX:+UseParallelGC", "-Xshare:on", "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info", "-Dcdc.mode=bogus", "-Dcdc.log.dir=target/it-logs/cds-check",
                "-jar", Path.of("target", "cdc-camel.jar").toAbsolutePath().toString())))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app stops on its own").isTrue();
        String out = Files.readString(log);

        assertThat(out).doesNotContain("Unable to use shared archive");
        assertThat(out).contains("cdc-camel: cdc.mode must be 'embedded' or 'external', not 'bogus'");
        assertThat(out).containsPattern("io\\.cdccamel\\.CdcApplication source: shared objects file \\(top\\)");
        assertThat(out).containsPattern("org\\.apache\\.camel\\.main\\.Main source: shared objects file \\(top\\)");
        // loaded by the training run's stack, mapped here as soon as anything asks for them
        long shared = out.lines().filter(l -> l.contains("source: shared objects file (top)")).count();
        long fromJars = out.lines().filter(l -> l.contains("source: file:")).count();
        assertThat(shared).as("classes from the archive, against %d read from the jars", fromJars).isGreaterThan(fromJars);
        Files.delete(log);
    }
}
