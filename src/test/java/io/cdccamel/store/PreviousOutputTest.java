package io.cdccamel.store;

import io.cdccamel.events.OutputFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PreviousOutputTest {

    @Test
    void shouldMoveTheFilesAndTheirPositionsAsideTogether(@TempDir Path output) throws Exception {
        Files.writeString(output.resolve("postgres.debezium.product.log"), "Message on [ Topic: t , Partition: 0, Offset: 7 ]\n");
        Files.writeString(output.resolve(OutputFormat.DEAD_LETTER_FILE), "dead\n");
        Files.writeString(output.resolve(PositionsJournal.FILE_NAME), "journal");
        Files.writeString(output.resolve("notes.txt"), "not output");

        Path aside = PreviousOutput.moveAside(output);

        assertThat(aside.getParent()).isEqualTo(output);
        assertThat(aside.getFileName().toString()).matches("previous-\\d{8}-\\d{6}");
        assertThat(Files.readString(aside.resolve("postgres.debezium.product.log"))).contains("Offset: 7");
        assertThat(aside.resolve(OutputFormat.DEAD_LETTER_FILE)).exists();
        assertThat(aside.resolve(PositionsJournal.FILE_NAME)).hasContent("journal");
        assertThat(output.resolve("postgres.debezium.product.log")).doesNotExist();
        assertThat(output.resolve(PositionsJournal.FILE_NAME)).doesNotExist();
        assertThat(output.resolve("notes.txt")).as("only the output's own files move").exists();
    }

    @Test
    void shouldLeaveAFolderWithoutOutputAsItIs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(PositionsJournal.FILE_NAME), "journal");
        assertThat(PreviousOutput.moveAside(dir)).isNull();
        assertThat(PreviousOutput.moveAside(dir.resolve("missing"))).isNull();
        assertThat(dir.resolve(PositionsJournal.FILE_NAME)).exists();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(PositionsJournal.FILE_NAME);
        }
    }
}
