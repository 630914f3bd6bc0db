package io.cdccamel.it;

import io.cdccamel.stack.Ports;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mvn package}'s class-data-sharing training run touches nothing outside its folder, whatever
 * the user's shell exports: here every setting of docs/configuration.md a user of their own
 * PostgreSQL exports ({@code CDC_POSTGRES_EMBEDDED=false} and that server's address and password,
 * another broker list, Connect URL, output and data folder), Camel Main's own
 * {@code CAMEL_COMPONENT_KAFKA_BROKERS}, and the same as {@code -D} through
 * {@code JAVA_TOOL_OPTIONS}. The run, started as the pom starts it, must print on its own embedded
 * stack, and the user's database must hold no role, publication or slot afterwards.
 */
class CdsTrainingIT {

    @Test
    void shouldTrainOnItsOwnStackAndLeaveTheUsersDatabaseAndFoldersAlone() throws Exception {
        try (MachinePostgres pg = MachinePostgres.create(17)) {
            pg.start("logical");
            Path dir = Files.createTempDirectory(Path.of("target"), "cds-training-it-").toAbsolutePath();
            Path usersOutput = dir.resolve("users-output");
            Path usersData = dir.resolve("users-data");
            Path training = dir.resolve("training");
            int usersPort = Ports.freePort();

            ProcessBuilder run = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:+UseParallelGC",
                    "-cp", System.getProperty("java.class.path"), "io.cdccamel.CdsTraining", training.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile());
            Map<String, String> env = run.environment();
            env.putAll(Map.ofEntries(
                    Map.entry("CDC_MODE", "embedded"),
                    Map.entry("CDC_POSTGRES_EMBEDDED", "false"),
                    Map.entry("CDC_POSTGRES_HOST", "127.0.0.1"),
                    Map.entry("CDC_POSTGRES_PORT", Integer.toString(pg.port)),
                    Map.entry("CDC_POSTGRES_USER", "postgres"),
                    Map.entry("CDC_POSTGRES_PASSWORD", MachinePostgres.PASSWORD),
                    Map.entry("CDC_CONNECTOR_PASSWORD", "the-users-own"),
                    Map.entry("CDC_KAFKA_BROKERS", "127.0.0.1:" + usersPort),
                    Map.entry("CDC_CONNECT_URL", "http://127.0.0.1:" + usersPort),
                    Map.entry("CDC_OUTPUT_DIR", usersOutput.toString()),
                    Map.entry("CDC_STACK_DIR", usersData.toString()),
                    Map.entry("CDC_KAFKA_MAX_RECORD_BYTES", "not-a-number"),
                    Map.entry("CAMEL_COMPONENT_KAFKA_BROKERS", "127.0.0.1:" + usersPort),
                    Map.entry("JAVA_TOOL_OPTIONS", "-Dcdc.postgres.embedded=false -Dcdc.postgres.host=127.0.0.1 -Dcdc.postgres.port="
                            + pg.port + " -Dcdc.postgres.password=" + MachinePostgres.PASSWORD)));
            Process process = run.start();
            assertThat(process.waitFor(8, TimeUnit.MINUTES)).as("the training run ends; see %s", dir.resolve("console.log")).isTrue();

            // the user's database first: what the run must never touch
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", MachinePostgres.PASSWORD)) {
                assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname = 'cdc_connector'")).as("roles").isZero();
                assertThat(count(c, "SELECT count(*) FROM pg_publication")).as("publications").isZero();
                assertThat(count(c, "SELECT count(*) FROM pg_replication_slots")).as("replication slots").isZero();
                assertThat(count(c, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('debezium', 'cdc_camel')"))
                        .as("schemas").isZero();
            }
            String console = Files.readString(dir.resolve("console.log"));
            assertThat(console).as("see %s", dir.resolve("console.log")).contains("CDS training run done")
                    .contains("ignores -Dcdc.postgres.embedded, -Dcdc.postgres.host, -Dcdc.postgres.password, -Dcdc.postgres.port");
            assertThat(Files.readString(training.resolve("output").resolve("postgres.debezium.product.log")))
                    .contains("\"cds training\"");
            assertThat(usersOutput).doesNotExist();
            assertThat(usersData).doesNotExist();
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
