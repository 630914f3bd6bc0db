package io.cdccamel.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 32, the machine has other users: the app as a user runs it (a child JVM, embedded mode, a
 * fresh folder) creates its data folder and its log folder with mode 700 and its log file, token
 * files and secrets with mode 600; the API token is in the console's link, never in the log file.
 */
class OwnerOnlyFilesIT {

    private EmbeddedApp app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void shouldCreateTheDataAndLogFoldersOwnerOnlyAndKeepTheTokenOutOfTheLog() throws Exception {
        app = new EmbeddedApp("owner-only");
        Path data = app.dir.resolve("data");
        Path logs = app.dir.resolve("logs-1");
        assertThat(data).doesNotExist();
        assertThat(logs).doesNotExist();
        // a first start (initdb, a new Kafka cluster): up to 5 minutes on a machine other builds load
        app.start(java.time.Duration.ofMinutes(5));

        assertThat(mode(data)).as(data.toString()).isEqualTo("rwx------");
        assertThat(mode(logs)).as(logs.toString()).isEqualTo("rwx------");
        assertThat(mode(app.logFile(1))).as("cdc-camel.log").isEqualTo("rw-------");
        assertThat(mode(data.resolve("api-token"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("secrets").resolve("connect-token"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("postgres"))).isIn("rwx------", "rwxr-xr-x");

        String token = Files.readString(data.resolve("api-token")).trim();
        assertThat(token).hasSizeGreaterThan(16);
        assertThat(Files.readString(app.console(1))).as("the banner's link, on the console")
                .contains("Live view      http://127.0.0.1:" + app.apiPort + "/?token=" + token);
        String log = Files.readString(app.logFile(1));
        assertThat(log).as("the log file has the app's lines").contains("cdc-camel is streaming").contains("<token: on the console")
                .doesNotContain(token);
        String connectToken = Files.readString(data.resolve("secrets").resolve("connect-token")).trim();
        assertThat(log).doesNotContain(connectToken);
    }
}
