package io.cdccamel.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
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

    /** The state replayed, as plain values: what a start would trust. */
    private static String snapshot(PositionsJournal.State state) {
        return state.clusterId + " " + new java.util.TreeMap<>(state.topicIds) + " "
                + new java.util.TreeMap<>(state.lengths) + " " + state.rotations + " "
                + new java.util.TreeMap<>(state.offsets.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        e -> e.getKey().topic() + "-" + e.getKey().partition(), Map.Entry::getValue)))
                + " " + new java.util.TreeMap<>(state.owedDeadLetters.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        e -> e.getKey().topic() + "-" + e.getKey().partition() + "@" + e.getKey().offset(), Map.Entry::getValue)));
    }

    /**
     * A real journal of every record type, written by the class: the state after each record, by the
     * file's length then (a crash leaves a prefix of whole records, plus a torn one at most).
     */
    private java.util.NavigableMap<Long, String> everyKindOfRecord() throws IOException {
        java.util.NavigableMap<Long, String> states = new java.util.TreeMap<>();
        PositionsJournal journal = PositionsJournal.open(dir, false);
        states.put((long) PositionsJournal.MAGIC_TEXT.length(), snapshot(journal.state())); // a new journal's first record holds nothing
        states.put(journal.size(), snapshot(journal.state()));
        List<PositionsJournal.Writer> records = List.of(
                j -> j.cluster("c1"),
                j -> j.topic("t", "id-t"),
                j -> j.batch(Map.of("t.log", 100L), List.of(at("t", 0, 1))),
                j -> j.batch(Map.of("t.log", 250L, "dead-letter.log", 90L), List.of(at("t", 0, 3), at("t", 1, 0)),
                        Map.of(at("t", 1, 0), "JsonParseException: Unrecognized token")),
                j -> j.deadLettersSent(List.of(at("t", 1, 0))),
                j -> j.rotate("t.log", "t.log.1"),
                j -> j.batch(Map.of("t.log", 70L), List.of(at("t", 0, 4))),
                j -> j.batch(Map.of("t.log", 140L), List.of(at("t", 2, 7))));
        for (PositionsJournal.Writer record : records) {
            record.write(journal);
            states.put(journal.size(), snapshot(journal.state()));
        }
        journal.close();
        return states;
    }

    /** Opens the journal as a start does: null when it refused (with a message that names the file and the byte). */
    private String start(byte[] bytes) throws IOException {
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        Files.write(file, bytes);
        PositionsJournal journal;
        try {
            journal = PositionsJournal.open(dir, false);
        } catch (IOException refused) {
            assertThat(refused.getMessage()).contains(file.toString());
            if (!refused.getMessage().contains("not a cdc-camel positions journal")) {
                assertThat(refused.getMessage()).containsPattern("damaged at byte \\d+").contains("move the output folder aside");
            }
            return null;
        }
        String state = snapshot(journal.state());
        journal.close();
        return state;
    }

    @Test
    void shouldRefuseOrLoseNothingWhicheverByteOfTheJournalIsDamaged() throws Exception {
        java.util.NavigableMap<Long, String> states = everyKindOfRecord();
        byte[] original = Files.readAllBytes(dir.resolve(PositionsJournal.FILE_NAME));
        String whole = states.lastEntry().getValue();
        int refused = 0;
        for (int flip : new int[]{0xFF, 0x01, 0x80}) {
            for (int i = 0; i < original.length; i++) {
                byte[] damaged = original.clone();
                damaged[i] ^= (byte) flip;
                String replayed = start(damaged);
                if (replayed == null) {
                    refused++;
                } else {
                    assertThat(replayed).as("byte %d xor %x: replayed whole or refused", i, flip).isEqualTo(whole);
                }
            }
        }
        assertThat(refused).as("a damaged byte is noticed").isEqualTo(3 * original.length);
    }

    @Test
    void shouldReplayAPrefixOfWholeRecordsOrRefuseWhereverTheJournalIsCut() throws Exception {
        java.util.NavigableMap<Long, String> states = everyKindOfRecord();
        byte[] original = Files.readAllBytes(dir.resolve(PositionsJournal.FILE_NAME));
        for (int length = 0; length <= original.length; length++) {
            String replayed = start(Arrays.copyOf(original, length));
            if (length >= PositionsJournal.MAGIC_TEXT.length()) {
                assertThat(replayed).as("cut at %d: the records whole before the cut", length)
                        .isEqualTo(states.floorEntry((long) length).getValue());
                assertThat(Files.size(dir.resolve(PositionsJournal.FILE_NAME))).as("the torn record cut off")
                        .isEqualTo(states.floorKey((long) length));
            } else {
                assertThat(replayed).as("cut at %d, inside the version line: refused", length).isNull();
            }
        }
    }

    /**
     * Issue 31's measured case: the length of a record in the middle changed so that it runs past
     * the end of the file. Taken for a torn tail, it cut every record after it, and the output
     * files back to older lengths, whose offsets Kafka had committed already.
     */
    @Test
    void shouldRefuseAJournalWhoseMiddleRecordsLengthRunsPastItsEndAndCutNoOutput() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        for (int b = 0; b < 6; b++) {
            files.write(List.of(new WrittenPositionsTest.Out("t.log", "entry " + b + "\n".repeat(40),
                    List.of(at("t", 0, b)))));
        }
        positions.close();
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        long output = Files.size(dir.resolve("t.log"));
        // walk the frames (any version: the length first, the payload after a header of 8 or 12 bytes)
        int header = new String(bytes, 0, PositionsJournal.MAGIC_TEXT.length(), java.nio.charset.StandardCharsets.US_ASCII)
                .contains("v1") ? 8 : 12;
        List<Integer> starts = new java.util.ArrayList<>();
        for (int at = PositionsJournal.MAGIC_TEXT.length(); at < bytes.length;
                at += header + java.nio.ByteBuffer.wrap(bytes, at, 4).getInt()) {
            starts.add(at);
        }
        int middle = starts.get(starts.size() / 2);
        java.nio.ByteBuffer.wrap(bytes, middle, 4).putInt(bytes.length); // runs past the end
        Files.write(file, bytes);

        assertThatThrownBy(() -> WrittenPositions.open(dir, true)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("damaged at byte " + middle)
                .hasMessageContaining("move the output folder aside");
        assertThat(Files.size(dir.resolve("t.log"))).as("no output cut").isEqualTo(output);
        assertThat(Files.readAllBytes(file)).as("the journal kept as it was, for its owner to look at").isEqualTo(bytes);
    }

    /** A journal of the first format (no header check), framed here as that version wrote it. */
    private static byte[] v1(byte[]... payloads) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(PositionsJournal.MAGIC_V1_TEXT.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (byte[] payload : payloads) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(payload);
            out.writeBytes(java.nio.ByteBuffer.allocate(8).putInt(payload.length).putInt((int) crc.getValue()).array());
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static byte[] v1Batch(String file, long length, String topic, int partition, long offset) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(3);
            out.writeInt(1);
            out.writeUTF(file);
            out.writeLong(length);
            out.writeInt(1);
            out.writeUTF(topic);
            out.writeInt(partition);
            out.writeLong(offset);
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldReadAJournalOfTheFirstFormatAndRewriteItInTheSecond() throws Exception {
        Path file = dir.resolve(PositionsJournal.FILE_NAME);
        Files.write(file, v1(v1Batch("t.log", 100, "t", 0, 1), v1Batch("t.log", 200, "t", 0, 2), v1Batch("u.log", 5, "u", 1, 9)));

        PositionsJournal journal = PositionsJournal.open(dir, true);
        journal.close();

        assertThat(journal.state().lengths).containsEntry("t.log", 200L).containsEntry("u.log", 5L);
        assertThat(journal.state().offsets).containsEntry(new PositionsJournal.Partition("t", 0), 2L)
                .containsEntry(new PositionsJournal.Partition("u", 1), 9L);
        assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith(PositionsJournal.MAGIC_TEXT);
        assertThat(snapshot(PositionsJournal.open(dir, true).state())).isEqualTo(snapshot(journal.state()));
    }

    @Test
    void shouldRefuseAFirstFormatJournalWhoseMiddleLengthRunsPastItsEnd() throws Exception {
        byte[] bytes = v1(v1Batch("t.log", 100, "t", 0, 1), v1Batch("t.log", 200, "t", 0, 2), v1Batch("t.log", 300, "t", 0, 3));
        java.nio.ByteBuffer.wrap(bytes, PositionsJournal.MAGIC_V1_TEXT.length(), 4).putInt(bytes.length);
        Files.write(dir.resolve(PositionsJournal.FILE_NAME), bytes);

        assertThatThrownBy(() -> PositionsJournal.open(dir, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("damaged at byte " + PositionsJournal.MAGIC_V1_TEXT.length());
    }
}
