package io.cdccamel.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The journal's framing: a torn last record is cut off, damage before the end stops the start. */
class PositionsJournalTest {

    @TempDir
    Path dir;

    private static PositionsJournal.Position at(String topic, int partition, long offset) {
        return new PositionsJournal.Position(topic, partition, offset);
    }

    private PositionsJournal threeBatches() throws IOException {
        PositionsJournal journal = PositionsJournal.open(dir, true);
        journal.cluster("c1");
        journal.batch(Map.of("t.log", 100L), List.of(at("t", 0, 1)));
        journal.batch(Map.of("t.log", 200L), List.of(at("t", 0, 2)));
        journal.batch(Map.of("t.log", 300L), List.of(at("t", 0, 3), at("t", 1, 0)));
        journal.close();
        return journal;
    }

    @Test
    void shouldReplayEveryRecord() throws Exception {
        threeBatches();

        PositionsJournal journal = PositionsJournal.open(dir, true);

        assertThat(journal.state().clusterId).isEqualTo("c1");
        assertThat(journal.state().lengths).containsEntry("t.log", 300L);
        assertThat(journal.state().offsets).containsEntry(new PositionsJournal.Partition("t", 0), 3L)
                .containsEntry(new PositionsJournal.Partition("t", 1), 0L);
        assertThat(new String(Files.readAllBytes(dir.resolve(PositionsJournal.FILE_NAME)), java.nio.charset.StandardCharsets.ISO_8859_1))
                .startsWith(PositionsJournal.MAGIC_TEXT);
    }

    @Test
    void shouldCutOffALastRecordACrashLeftHalfWritten() throws Exception {
        threeBatches();
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        long whole = Files.size(file);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(whole - 5); // the last record's end never reached the disk
        }

        PositionsJournal journal = PositionsJournal.open(dir, true);

        assertThat(journal.state().lengths).containsEntry("t.log", 200L);
        assertThat(journal.state().offsets).containsEntry(new PositionsJournal.Partition("t", 0), 2L)
                .doesNotContainKey(new PositionsJournal.Partition("t", 1));
        assertThat(Files.size(file)).isLessThan(whole - 5);
        journal.batch(Map.of("t.log", 250L), List.of(at("t", 0, 3)));
        journal.close();
        assertThat(PositionsJournal.open(dir, true).state().lengths).containsEntry("t.log", 250L);
    }

    @Test
    void shouldCutOffAZeroFilledTail() throws Exception {
        threeBatches();
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        Files.write(file, new byte[4096], StandardOpenOption.APPEND);

        PositionsJournal journal = PositionsJournal.open(dir, true);

        assertThat(journal.state().lengths).containsEntry("t.log", 300L);
    }

    @Test
    void shouldRefuseAJournalDamagedBeforeItsEnd() throws Exception {
        threeBatches();
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[PositionsJournal.MAGIC_TEXT.length() + 12] ^= 0x40; // inside the first record's payload
        Files.write(file, bytes);

        assertThatThrownBy(() -> PositionsJournal.open(dir, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("damaged").hasMessageContaining("cannot be trusted");
    }

    @Test
    void shouldRefuseAFileThatIsNoJournal() throws Exception {
        Files.writeString(dir.resolve(PositionsJournal.FILE_NAME), "Message on [ Topic: t , Partition: 0, Offset: 1 ] {}\n");

        assertThatThrownBy(() -> PositionsJournal.open(dir, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a cdc-camel positions journal");
    }

    @Test
    void shouldCompactIntoOneRecordOnceLarge() throws Exception {
        PositionsJournal journal = PositionsJournal.open(dir, false);
        journal.cluster("c1");
        journal.topic("t", "id-t");
        long batches = 0;
        long before;
        do {
            before = journal.size();
            journal.batch(Map.of("t.log", batches * 10), List.of(at("t", (int) (batches % 3), batches)));
            batches++;
        } while (journal.size() > before && batches < 1_000_000);
        journal.close();

        assertThat(Files.size(dir.resolve(PositionsJournal.FILE_NAME))).isLessThan(PositionsJournal.COMPACT_BYTES);
        PositionsJournal reopened = PositionsJournal.open(dir, false);
        assertThat(reopened.state().clusterId).isEqualTo("c1");
        assertThat(reopened.state().topicIds).containsEntry("t", "id-t");
        assertThat(reopened.state().lengths).containsEntry("t.log", (batches - 1) * 10);
        assertThat(reopened.state().offsets).containsEntry(new PositionsJournal.Partition("t", (int) ((batches - 1) % 3)), batches - 1);
        assertThat(Files.exists(dir.resolve(PositionsJournal.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void shouldFinishARotationACrashInterrupted() throws Exception {
        PositionsJournal journal = PositionsJournal.open(dir, true);
        journal.batch(Map.of("t.log", 6L), List.of(at("t", 0, 1)));
        journal.rotate("t.log", "t.log.1"); // journaled, then the crash: the rename never happened
        journal.close();
        Files.writeString(dir.resolve("t.log"), "entry\n");

        WrittenPositions positions = WrittenPositions.open(dir, true);

        assertThat(Files.readString(dir.resolve("t.log.1"))).isEqualTo("entry\n");
        assertThat(Files.exists(dir.resolve("t.log"))).isFalse();
        assertThat(positions.length("t.log")).isZero();
        assertThat(positions.highest("t", 0)).isEqualTo(1);

        // done once: the rotated file deleted by its owner, a later start renames nothing again
        positions.close();
        Files.delete(dir.resolve("t.log.1"));
        Files.writeString(dir.resolve("t.log"), "");
        WrittenPositions.open(dir, true).close();
        assertThat(Files.exists(dir.resolve("t.log.1"))).isFalse();
        assertThat(Files.exists(dir.resolve("t.log"))).isTrue();
    }
}
