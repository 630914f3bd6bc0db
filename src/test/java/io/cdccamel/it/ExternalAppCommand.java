package io.cdccamel.it;

import io.cdccamel.stack.LocalStack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java ... io.cdccamel.CdcApplication} in external mode against the shared stack, as a child
 * JVM that a test can kill -9: the command, and the connector's removal after the test. The ITs that
 * kill, starve or restart the app's process (KillAppIT, FilteredKillIT, DiskFullIT, SnapshotJobsIT)
 * start it with this one command and add their own settings.
 */
final class ExternalAppCommand {

    private ExternalAppCommand() {
    }

    /**
     * The command: the stack's brokers, Connect (with its token), PostgreSQL (with the superuser's
     * password), connector {@code connector} on its own slot and publication for {@code schemas}, the
     * output in {@code output}, logs in {@code logDir}, the API on {@code apiPort}, no demo data and no
     * route reloading; then {@code settings} ({@code -Dkey=value} each), which win over these.
     */
    static List<String> of(String connector, String schemas, Path logDir, Path output, int apiPort, String... settings) {
        LocalStack stack = EmbeddedStackExtension.stack();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"),
                "-Dcdc.log.dir=" + logDir,
                "-Dcdc.mode=external",
                "-Dcdc.demo.enabled=false",
                "-Dcdc.kafka.brokers=" + stack.kafka().bootstrapServers(),
                "-Dcdc.connect.url=" + stack.connect().url(),
                // Connect's REST port takes state changes with its token only (issue 32)
                "-Dcdc.connect.token=" + stack.connect().token(),
                "-Dcdc.postgres.port=" + stack.postgres().port(),
                "-Dcdc.postgres.password=" + stack.postgresPassword(),
                "-Dcdc.api.port=" + apiPort,
                "-Dcdc.connector.name=" + connector,
                "-Dcdc.connector.config.database.hostname=localhost",
                "-Dcdc.connector.config.database.port=" + stack.postgres().port(),
                "-Dcdc.connector.config.slot.name=slot_" + connector,
                "-Dcdc.connector.config.publication.name=pub_" + connector,
                "-Dcdc.connector.config.schema.include.list=" + schemas,
                "-Dcdc.output.dir=" + output,
                "-Dcamel.main.routes-reload-enabled=false"));
        command.addAll(Arrays.asList(settings));
        command.add("io.cdccamel.CdcApplication");
        return command;
    }

    /** Deletes {@code connector} from the stack's Connect (with its token) and drops its slot. */
    static void deleteConnector(String connector) throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(EmbeddedStackExtension.stack().connect().url()
                + "/connectors/" + connector)).DELETE().header("Authorization", "Bearer "
                + EmbeddedStackExtension.stack().connect().token()).build(), HttpResponse.BodyHandlers.discarding());
        Db.dropSlotOf(connector);
    }
}
