package io.cdccamel.store;

import io.cdccamel.events.OutputFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Output written against an earlier Kafka cluster, moved to {@code <output>/previous-<time>/} with its
 * positions journal: a new cluster numbers its offsets from 0 again, and those positions would be
 * taken for the new cluster's.
 */
public final class PreviousOutput {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private PreviousOutput() {
    }

    /** Moves {@code outputDir}'s files and journal aside; returns where, or null when it holds no output. */
    public static Path moveAside(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return null;
        }
        List<Path> logs = OutputFormat.files(outputDir);
        if (logs.isEmpty()) {
            return null;
        }
        Path aside = outputDir.resolve("previous-" + LocalDateTime.now().format(TIME));
        Files.createDirectories(aside);
        for (Path log : logs) {
            Files.move(log, aside.resolve(log.getFileName()));
        }
        // their positions journal goes with them: the new cluster's start from no positions
        Path journal = outputDir.resolve(PositionsJournal.FILE_NAME);
        if (Files.exists(journal)) {
            Files.move(journal, aside.resolve(PositionsJournal.FILE_NAME));
        }
        return aside;
    }
}
