package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.cdccamel.settings.OwnerOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The embedded stack's data folder ({@code cdc.stack.dir}): PostgreSQL, Kafka and the secrets,
 * with a marker file that says which layout wrote them, so that a folder of an older version or
 * of another topology is refused in one line instead of being half-used.
 */
public final class DataDirs {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirs.class);

    static final String MARKER = "cdc-camel-stack.properties";
    /** 2: Kafka's own servers kept on disk; version 1 (no marker) rebuilt Kafka at every start. */
    static final String LAYOUT = "2";
    static final String TOPOLOGY = "3 brokers, 1 controller";
    /** What a user sets to start from scratch. */
    static final String RESET_HINT = "start from scratch with -Dcdc.stack.reset=true (CDC_STACK_RESET=true), which deletes it";

    private DataDirs() {
    }

    /**
     * Checks (or, with {@code reset}, deletes) the data folder and writes its marker.
     *
     * @return true when the folder is new: nothing of an earlier start is in it
     */
    static boolean prepare(Path dir, boolean reset) throws IOException {
        // the database, Kafka's logs, the token and the secrets: the app's user's alone, from the first byte;
        // a folder of an earlier start is narrowed, a folder of the user's own (no marker) only reported
        if (!Files.exists(dir) || Files.exists(dir.resolve(MARKER))) {
            if (OwnerOnly.folder(dir)) {
                LOG.warn("{} was open to other users of this machine; it is now the app's user's only (mode 700)",
                        dir.toAbsolutePath());
            }
        } else if (OwnerOnly.openToOthers(dir)) {
            LOG.warn("{} (cdc.stack.dir) is open to other users of this machine, and will hold the database, Kafka's "
                    + "logs and the secrets: chmod 700 {}", dir.toAbsolutePath(), dir.toAbsolutePath());
        }
        if (reset && (Files.exists(dir.resolve("postgres")) || Files.exists(dir.resolve("kafka")))) {
            LOG.warn("cdc.stack.reset=true: deleting the embedded stack's data in {} (PostgreSQL, Kafka, Connect)", dir);
            for (String part : new String[] {"postgres", "kafka", "secrets", MARKER}) {
                deleteRecursively(dir.resolve(part));
            }
        }
        Path marker = dir.resolve(MARKER);
        boolean earlierData = Files.exists(dir.resolve("postgres")) || Files.exists(dir.resolve("kafka"));
        if (!Files.exists(marker)) {
            if (earlierData) {
                throw new StackStartException(dir.toAbsolutePath() + " was written by an older cdc-camel, whose Kafka"
                        + " forgot its topics and Connect's offsets at every start, so it cannot be resumed: " + RESET_HINT);
            }
            Properties p = new Properties();
            p.setProperty("layout", LAYOUT);
            p.setProperty("topology", TOPOLOGY);
            try (OutputStream out = Files.newOutputStream(marker)) {
                p.store(out, "cdc-camel embedded stack: the layout of this folder (do not edit)");
            }
            return true;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(marker)) {
            p.load(in);
        }
        if (!LAYOUT.equals(p.getProperty("layout")) || !TOPOLOGY.equals(p.getProperty("topology"))) {
            throw new StackStartException(dir.toAbsolutePath() + " holds a stack of layout " + p.getProperty("layout")
                    + " (" + p.getProperty("topology") + "); this version runs layout " + LAYOUT + " (" + TOPOLOGY
                    + "): " + RESET_HINT);
        }
        return !earlierData;
    }

    /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
