package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image {@code mvn -Pimage package} builds with Jib ({@code target/cdc-camel-image.tar},
 * {@code docker save}'s format), read without a Docker engine: its config (entrypoint, a user that is
 * not root, the exposed port, the state volume) and its layers (the app's classes and libraries,
 * the connector file, the YAML route, a writable state folder, a {@code java} on the image's PATH).
 * Runs in profile {@code image} only ({@code .ci/run} runs it), after Jib built the tar in {@code package}.
 */
class ImageIT {

    private static final Path IMAGE = Path.of("target", "cdc-camel-image.tar");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode manifest;
    private static JsonNode config;
    /** Every path of every layer (without a leading {@code ./} or {@code /}) with its mode. */
    private static final Map<String, Integer> FILES = new HashMap<>();
    private static final List<String> LAYERS = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        assertThat(IMAGE).as("the image's tar: built by mvn -Pimage package (jib:buildTar; where no registry is reachable, "
                + "with -Dimage.base=tar://<a base image tar>, e.g. from .ci/image-base: docs/operations.md)").exists();
        Map<String, byte[]> small = new HashMap<>();
        try (TarArchiveInputStream outer = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(IMAGE)))) {
            for (TarArchiveEntry e; (e = outer.getNextEntry()) != null; ) {
                if (e.getName().endsWith(".json")) {
                    small.put(e.getName(), outer.readAllBytes());
                } else if (e.isFile()) {
                    LAYERS.add(e.getName());
                    readLayer(outer, e.getName());
                }
            }
        }
        manifest = MAPPER.readTree(small.get("manifest.json"));
        config = MAPPER.readTree(small.get(manifest.get(0).path("Config").asText()));
    }

    private static void readLayer(InputStream outer, String name) throws IOException {
        InputStream in = new BufferedInputStream(new InputStream() { // the layer, not the rest of the outer tar
            @Override
            public int read() throws IOException {
                return outer.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return outer.read(b, off, len);
            }
        });
        try (TarArchiveInputStream layer = new TarArchiveInputStream(name.endsWith(".gz") ? new GZIPInputStream(in) : in)) {
            for (TarArchiveEntry e; (e = layer.getNextEntry()) != null; ) {
                String path = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
                FILES.put(path, e.getMode() & 07777);
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void shouldBeOneImageTaggedWithTheProjectVersion() {
        assertThat(manifest).hasSize(1);
        assertThat(texts(manifest.get(0).path("RepoTags"))).singleElement().asString().startsWith("cdc-camel:");
        assertThat(manifest.get(0).path("Layers")).hasSize(LAYERS.size());
        assertThat(config.path("rootfs").path("diff_ids")).as("one diff id per layer").hasSize(LAYERS.size());
        assertThat(config.path("os").asText()).isEqualTo("linux");
    }

    @Test
    void shouldRunTheAppWithTheReadmesFlags() {
        List<String> entrypoint = texts(config.path("config").path("Entrypoint"));
        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint).contains("-Xmx512m", "-XX:+UseParallelGC", "-cp", "@/app/jib-classpath-file")
                .endsWith("io.cdccamel.CdcApplication");
        assertThat(config.path("config").path("WorkingDir").asText()).isEqualTo("/app");
        assertThat(FILES).containsKeys("app/classes/io/cdccamel/CdcApplication.class",
                "app/classes/io/cdccamel/ops/ReadyProbe.class", "app/resources/application.properties",
                "app/resources/cdc-camel-log4j2.xml", "app/debezium_connect.json",
                "app/routes/print-change-events.camel.yaml", "app/jib-classpath-file");
        assertThat(FILES.keySet()).anyMatch(p -> p.matches("app/libs/camel-main-.*\\.jar"))
                .anyMatch(p -> p.matches("app/libs/debezium-connector-postgres-.*\\.jar"))
                .anyMatch(p -> p.matches("app/libs/log4j-layout-template-json-.*\\.jar"));
    }

    @Test
    void shouldFindJavaOnTheImagesPath() {
        String path = texts(config.path("config").path("Env")).stream().filter(e -> e.startsWith("PATH="))
                .findFirst().orElseThrow().substring(5);
        assertThat(path.split(":")).as("a java of the base image on PATH " + path)
                .anyMatch(dir -> FILES.containsKey((dir.replaceFirst("^/", "") + "/java")));
    }

    @Test
    void shouldRunAsANumericUserThatIsNotRoot() {
        String user = config.path("config").path("User").asText();
        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
    }

    @Test
    void shouldExposeTheApiPortAndListenOnTheContainersInterfaces() {
        assertThat(config.path("config").path("ExposedPorts").has("8090/tcp")).isTrue();
        assertThat(texts(config.path("config").path("Env"))).contains("CDC_API_HOST=0.0.0.0");
    }

    @Test
    void shouldKeepItsStateInAVolumeTheUserMayWrite() {
        assertThat(config.path("config").path("Volumes").has("/var/lib/cdc-camel")).isTrue();
        assertThat(texts(config.path("config").path("Env"))).contains("CDC_STACK_DIR=/var/lib/cdc-camel/data",
                "CDC_OUTPUT_DIR=/var/lib/cdc-camel/output");
        assertThat(FILES.get("var/lib/cdc-camel")).as("writable by the image's user (not root)").isEqualTo(0777);
        assertThat(texts(config.path("config").path("Entrypoint"))).contains("-Dcdc.log.dir=/var/lib/cdc-camel/data/logs");
    }

    @Test
    void shouldHaveNoHealthcheckOfItsOwnAsComposeGivesOne() {
        // Jib writes none; docker-compose.yml's service runs io.cdccamel.ops.ReadyProbe (ComposeFileTest)
        assertThat(config.path("config").has("Healthcheck")).isFalse();
    }
}
