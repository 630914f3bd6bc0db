package io.cdccamel.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WrittenPositionsTest {


    @TempDir
    Path dir;

    private String entry(String topic, int partition, long offset) {
        return OutputFormat.header(topic, partition, offset) + "{\n\t\"op\": \"c\"\n}\n";
    }

    @Test
    void shouldReadTheHighestWrittenOffsetPerTopicPartitionFromTheFiles() throws Exception {
        Files.writeString(dir.resolve("t.log"), entry("t", 0, 4) + entry("t", 1, 9) + entry("t", 0, 5)
                + OutputFormat.tombstone("t", 0, 6, "Struct{id=1}"));
        Files.writeString(dir.resolve("dead-letter.log"), OutputFormat.deadLetter("t", 1, 10, "bad", "\"x\""));

        WrittenPositions positions = WrittenPositions.scan(dir);

        assertThat(positions.highest("t", 0)).isEqualTo(6);
        assertThat(positions.highest("t", 1)).isEqualTo(10);
        assertThat(positions.isNew("t", 0, 6)).isFalse();
        assertThat(positions.isNew("t", 0, 7)).isTrue();
        assertThat(positions.isNew("t", 2, 0)).isTrue();
        assertThat(positions.skippedCount()).isEqualTo(1);
    }

    @Test
    void shouldCutOffAnEntryLeftHalfWrittenByACrash() throws Exception {
        Path file = dir.resolve("t.log");
        String whole = entry("t", 0, 1);
        Files.writeString(file, whole + OutputFormat.header("t", 0, 2) + "{\n\t\"op\": \"c\",\n");

        WrittenPositions positions = WrittenPositions.scan(dir);

        assertThat(Files.readString(file)).isEqualTo(whole);
        assertThat(positions.highest("t", 0)).isEqualTo(1);
        assertThat(positions.isNew("t", 0, 2)).isTrue();
    }

    @Test
    void shouldKeepAFileWhoseLastEntryIsWhole() throws Exception {
        Path file = dir.resolve("t.log");
        String text = entry("t", 0, 1) + OutputFormat.tombstone("t", 0, 2, "Struct{id=1}");
        Files.writeString(file, text);

        WrittenPositions.scan(dir);

        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void shouldRememberWhatIsWrittenDuringTheRun() {
        WrittenPositions positions = new WrittenPositions();

        positions.written("t", 0, 3);

        assertThat(positions.isNew("t", 0, 2)).isFalse();
        assertThat(positions.isNew("t", 0, 4)).isTrue();
    }

    @Test
    void shouldReadTheOutputBackInTheBackgroundAndCutAHalfWrittenEntry() throws Exception {
        Path file = dir.resolve("t.log");
        String whole = entry("t", 0, 1) + entry("t", 2, 8);
        Files.writeString(file, whole + OutputFormat.header("t", 0, 2) + "{\n\t\"op\": \"c\",\n");

        WrittenPositions positions = WrittenPositions.scanInBackground(dir);
        positions.awaitScanned();

        assertThat(Files.readString(file)).isEqualTo(whole);
        assertThat(positions.highest("t", 0)).isEqualTo(1);
        assertThat(positions.highest("t", 2)).isEqualTo(8);
        assertThat(positions.isNew("t", 2, 8)).isFalse();
    }
}
