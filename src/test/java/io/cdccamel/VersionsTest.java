package io.cdccamel;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The class path holds the versions pom.xml pins, one per family: a second Camel (or Kafka,
 * Jackson, Vert.x, Debezium) version pulled in by a new dependency fails here, not at run time.
 * The expected values come from pom.xml itself (src/test/resources/pinned-versions.properties,
 * filtered by Maven).
 */
class VersionsTest {

    /** A jar of the local Maven repository: .../group/path/artifact/version/artifact-version[-classifier].jar */
    private static final Pattern REPOSITORY_JAR =
            Pattern.compile(".*/(org/apache/camel|org/apache/kafka|com/fasterxml/jackson(?:/[^/]+)?|io/vertx|io/debezium)"
                    + "/([^/]+)/([^/]+)/\\2-\\3(?:-[^/]+)?\\.jar$");

    private static Properties pinned;
    private static List<String[]> jars;

    @BeforeAll
    static void readPinnedVersionsAndClassPath() throws IOException {
        pinned = new Properties();
        try (InputStream in = VersionsTest.class.getResourceAsStream("/pinned-versions.properties")) {
            assertThat(in).as("pinned-versions.properties on the test class path").isNotNull();
            pinned.load(in);
        }
        assertThat(pinned.getProperty("camel.version")).as("filtered by Maven").doesNotContain("${");
        jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = REPOSITORY_JAR.matcher(entry.replace(File.separatorChar, '/'));
            if (m.matches()) {
                jars.add(new String[] {m.group(1).replace('/', '.'), m.group(2), m.group(3)});
            }
        }
    }

    private static List<String> jarsOf(String groupPrefix) {
        List<String> found = new ArrayList<>();
        for (String[] jar : jars) {
            if (jar[0].startsWith(groupPrefix)) {
                found.add(jar[0] + ":" + jar[1] + ":" + jar[2]);
            }
        }
        assertThat(found).as("%s jars on the class path", groupPrefix).isNotEmpty();
        return found;
    }

    @Test
    void shouldRunTheCamelVersionThePomPins() {
        assertThat(new DefaultCamelContext(false).getVersion()).isEqualTo(pinned.getProperty("camel.version"));
    }

    @Test
    void shouldHaveEveryCamelModuleAtOneVersion() {
        assertThat(jarsOf("org.apache.camel"))
                .allSatisfy(jar -> assertThat(jar).endsWith(":" + pinned.getProperty("camel.version")));
    }

    @Test
    void shouldRunTheKafkaVersionThePomPins() {
        assertThat(AppInfoParser.getVersion()).isEqualTo(pinned.getProperty("kafka.version"));
        assertThat(jarsOf("org.apache.kafka"))
                .allSatisfy(jar -> assertThat(jar).endsWith(":" + pinned.getProperty("kafka.version")));
    }

    @Test
    void shouldRunTheJacksonVersionThePomPins() {
        String version = pinned.getProperty("jackson.version");
        assertThat(PackageVersion.VERSION.toString()).isEqualTo(version);
        // jackson-annotations is versioned by minor only since 2.20 ("2.22" beside databind's "2.22.1")
        String minor = version.substring(0, version.lastIndexOf('.'));
        assertThat(jarsOf("com.fasterxml.jackson"))
                .allSatisfy(jar -> assertThat(jar).matches(".*:(" + Pattern.quote(version) + "|" + Pattern.quote(minor) + ")"));
    }

    @Test
    void shouldHaveEveryVertxAndDebeziumModuleAtOneVersion() {
        assertThat(jarsOf("io.vertx"))
                .allSatisfy(jar -> assertThat(jar).endsWith(":" + pinned.getProperty("vertx.version")));
        assertThat(jarsOf("io.debezium"))
                .allSatisfy(jar -> assertThat(jar).endsWith(":" + pinned.getProperty("debezium.version")));
    }
}
