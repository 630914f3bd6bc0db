package io.cdccamel.store;

import io.cdccamel.events.OutputFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the output stands comes from the journal: the files are cut back to it, never parsed. */
class WrittenPositionsTest {

    @TempDir
    Path dir;

    private static String entry(String topic, int partition, long offset) {
        return OutputFormat.header(topic, partition, offset) + "{\n\t\"op\": \"c\"\n}\n";
    }

    /** One append of a batch, as the route's printed batch gives it. */
    record Out(String fileName, String text, List<PositionsJournal.Position> positions) implements OutputFiles.Text {
        @Override
        public Iterable<PositionsJournal.Position> newest() {
            return positions;
        }
    }

    private static Out out(String file, String topic, int partition, long... offsets) {
        StringBuilder text = new StringBuilder();
        for (long o : offsets) {
            text.append(entry(topic, partition, o));
        }
        return new Out(file, text.toString(), List.of(new PositionsJournal.Position(topic, partition, offsets[offsets.length - 1])));
    }

    @Test
    void shouldTakeOverTheOutputOfAnEarlierVersionOnceByReadingItBack() throws Exception {
        Path file = dir.resolve("t.log");
        String whole = entry("t", 0, 4) + entry("t", 1, 9) + entry("t", 0, 5) + OutputFormat.tombstone("t", 0, 6, "Struct{id=1}");
        Files.writeString(file, whole + OutputFormat.header("t", 0, 7) + "{\n\t\"op\": \"c\",\n");
        Files.writeString(dir.resolve("dead-letter.log"), OutputFormat.deadLetter("t", 1, 10, "bad", "\"x\""));

        WrittenPositions positions = WrittenPositions.open(dir, true);

        assertThat(Files.readString(file)).as("the half-written entry cut off").isEqualTo(whole);
        assertThat(positions.highest("t", 0)).isEqualTo(6);
        assertThat(positions.highest("t", 1)).isEqualTo(10);
        assertThat(positions.length("t.log")).isEqualTo(whole.getBytes(StandardCharsets.UTF_8).length);
        assertThat(positions.isNew("t", 0, 6)).isFalse();
        assertThat(positions.isNew("t", 0, 7)).isTrue();
        assertThat(positions.skippedCount()).isEqualTo(1);
        positions.close();

        // journaled: a header-shaped line added to the text later does not move the position
        Files.writeString(file, entry("t", 0, 999), java.nio.file.StandardOpenOption.APPEND);
        WrittenPositions again = WrittenPositions.open(dir, true);
        assertThat(again.highest("t", 0)).isEqualTo(6);
        assertThat(Files.readString(file)).as("text after the journaled length cut off").isEqualTo(whole);
    }

    @Test
    void shouldNeverTakeAPositionFromTextAValueHolds() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        // a tombstone whose key holds a newline and a header; a value with NEL and a header, last in its file
        String key = "k\nMessage on [ Topic: p , Partition: 0, Offset: 9223372036854775806 ] {";
        files.write(List.of(new Out("t.log", OutputFormat.tombstone("t", 0, 0, key),
                List.of(new PositionsJournal.Position("t", 0, 0)))));
        String nel = OutputFormat.header("p", 0, 0) + "{\n\t\"v\": \"x" + "\u0085" + "Message on [ Topic: p , Partition: 0, Offset: 5 ] \"\n}\n";
        files.write(List.of(new Out("p.log", nel, List.of(new PositionsJournal.Position("p", 0, 0)))));
        positions.close();

        WrittenPositions again = WrittenPositions.open(dir, true);

        assertThat(again.highest("p", 0)).isZero();
        assertThat(again.isNew("p", 0, 1)).isTrue();
        assertThat(Files.readString(dir.resolve("p.log"))).as("the last entry kept whole").isEqualTo(nel);
        assertThat(Files.readString(dir.resolve("t.log")).lines()).hasSize(1);
    }

    @Test
    void shouldCutATornTailOfAnySizeBackToTheJournaledLength() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        new OutputFiles(positions, true, 0).write(List.of(out("t.log", "t", 0, 1, 2)));
        positions.close();
        Path file = dir.resolve("t.log");
        String journaled = Files.readString(file);
        // a crash during the append of a 5 MB entry: 3 MB of it reached the file
        Files.writeString(file, OutputFormat.header("t", 0, 3) + "{\n\t\"v\": \"" + "x".repeat(3 * 1024 * 1024),
                java.nio.file.StandardOpenOption.APPEND);

        WrittenPositions again = WrittenPositions.open(dir, true);

        assertThat(Files.readString(file)).isEqualTo(journaled);
        assertThat(again.isNew("t", 0, 3)).isTrue();
        assertThat(again.isNew("t", 0, 2)).isFalse();
    }

    @Test
    void shouldForgetTheOffsetsOfAnotherClusterAndOfARecreatedTopic() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        positions.kafkaCluster("cluster-a");
        positions.kafkaTopic("t", "id-1");
        positions.kafkaTopic("u", "id-2");
        new OutputFiles(positions, true, 0).write(List.of(out("t.log", "t", 0, 7), out("u.log", "u", 0, 3)));
        positions.close();

        WrittenPositions again = WrittenPositions.open(dir, true);
        again.kafkaCluster("cluster-a");
        again.kafkaTopic("u", "id-3"); // deleted and created again
        assertThat(again.isNew("t", 0, 7)).isFalse();
        assertThat(again.isNew("u", 0, 0)).as("a re-created topic starts again").isTrue();

        again.kafkaCluster("cluster-b"); // docker compose down/up: a new cluster, offsets from 0 again
        assertThat(again.isNew("t", 0, 0)).isTrue();
        assertThat(again.length("t.log")).as("the file keeps its text").isEqualTo(Files.size(dir.resolve("t.log")));
        again.close();

        WrittenPositions third = WrittenPositions.open(dir, true);
        assertThat(third.highest("t", 0)).as("the forgetting is journaled too").isNull();
    }

    @Test
    void shouldRollAFailedAppendBackSoThatARetryWritesEachEntryOnce() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        files.write(List.of(out("t.log", "t", 0, 0)));
        // the second file of the batch cannot be written (a directory in its place): the first is rolled back
        Files.createDirectory(dir.resolve("u.log"));
        List<Out> batch = List.of(out("t.log", "t", 0, 1, 2), out("u.log", "u", 0, 0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> files.write(batch))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("rolled back");
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 0));
        assertThat(positions.isNew("t", 0, 1)).isTrue();

        Files.delete(dir.resolve("u.log"));
        files.write(batch);

        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 0) + entry("t", 0, 1) + entry("t", 0, 2));
        assertThat(Files.readString(dir.resolve("u.log"))).isEqualTo(entry("u", 0, 0));
        assertThat(positions.highest("t", 0)).isEqualTo(2);
    }

    @Test
    void shouldRotateAFileBeforeABatchTakesItPastTheLimit() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        long max = entry("t", 0, 0).length() * 3L;
        OutputFiles files = new OutputFiles(positions, true, max);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            files.write(List.of(out("t.log", "t", 0, i)));
            all.add(entry("t", 0, i));
        }
        positions.close();

        assertThat(files.rotationCount()).isEqualTo(3);
        StringBuilder joined = new StringBuilder();
        for (String name : List.of("t.log.1", "t.log.2", "t.log.3", "t.log")) {
            assertThat(Files.size(dir.resolve(name))).isLessThanOrEqualTo(max);
            joined.append(Files.readString(dir.resolve(name)));
        }
        assertThat(joined.toString()).isEqualTo(String.join("", all));
        WrittenPositions again = WrittenPositions.open(dir, true);
        assertThat(again.highest("t", 0)).isEqualTo(9);
        assertThat(again.length("t.log")).isEqualTo(Files.size(dir.resolve("t.log")));
    }

    @Test
    void shouldFollowAFileRenamedOrTruncatedByLogrotate() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        files.write(List.of(out("t.log", "t", 0, 0, 1)));
        Files.move(dir.resolve("t.log"), dir.resolve("t.log-20261203")); // logrotate's rename

        files.write(List.of(out("t.log", "t", 0, 2)));
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 2));

        Files.write(dir.resolve("t.log"), new byte[0]); // logrotate's copytruncate, the app stopped
        positions.close();
        WrittenPositions again = WrittenPositions.open(dir, true);
        assertThat(again.highest("t", 0)).isEqualTo(2);
        assertThat(again.length("t.log")).isZero();
        new OutputFiles(again, true, 0).write(List.of(out("t.log", "t", 0, 3)));
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 3));
    }

    @Test
    void shouldLeaveAFileItNeverWroteAsItIs() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        positions.close();
        Files.writeString(dir.resolve("notes.log"), "a user's own file\n");

        WrittenPositions again = WrittenPositions.open(dir, true);

        assertThat(Files.readString(dir.resolve("notes.log"))).isEqualTo("a user's own file\n");
        assertThat(again.length("notes.log")).isNull();
    }

    /** Issue 31: a {@code *.log} of 64 KB or less without an entry header was emptied when a folder without a journal was taken over. */
    @Test
    void shouldLeaveAUsersFileByteForByteWhenTakingOverAFolderWithoutAJournal() throws Exception {
        byte[] notes = "a user's own notes\nno entry of cdc-camel here\n\u00e9\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[3000];
        new java.util.Random(31).nextBytes(binary);
        Files.write(dir.resolve("notes.log"), notes);
        Files.write(dir.resolve("binary.log"), binary);
        Files.writeString(dir.resolve("t.log"), entry("t", 0, 4));

        WrittenPositions positions = WrittenPositions.open(dir, true);

        assertThat(Files.readAllBytes(dir.resolve("notes.log"))).isEqualTo(notes);
        assertThat(Files.readAllBytes(dir.resolve("binary.log"))).isEqualTo(binary);
        assertThat(positions.length("notes.log")).as("not named in the journal").isNull();
        assertThat(positions.length("binary.log")).isNull();
        assertThat(positions.highest("t", 0)).isEqualTo(4);
        positions.close();

        // the user writes on to it: a later start still leaves it alone
        Files.write(dir.resolve("notes.log"), "more\n".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
        WrittenPositions.open(dir, true).close();
        assertThat(Files.size(dir.resolve("notes.log"))).isEqualTo(notes.length + 5L);
    }

    /**
     * Issue 31: a logrotate {@code create} (the file renamed away, an empty one created at its name)
     * between a batch's append and its sync. The sync opened the path again and reached the new,
     * empty file, while the batch's text sat unsynced in the renamed one, journaled and committed.
     */
    @Test
    void shouldSyncTheFileItAppendedToEvenWhenLogrotateRenamesItBeforeTheSync() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        java.util.Map<String, Long> synced = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean rotateNow = new java.util.concurrent.atomic.AtomicBoolean();
        OutputFiles files = new OutputFiles(positions, true, 0) {
            @Override
            protected void force(Path file, java.nio.channels.FileChannel channel) throws java.io.SyncFailedException {
                // the batch's other file is synced first: t.log is renamed after its append, before its sync
                if (file.getFileName().toString().equals("a.log") && rotateNow.getAndSet(false)) {
                    try {
                        Files.move(dir.resolve("t.log"), dir.resolve("t.log-20261204")); // logrotate's create: rename, then a new empty file
                        Files.createFile(dir.resolve("t.log"));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                super.force(file, channel);
                try {
                    synced.put(file.getFileName().toString(), channel.size());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        files.write(List.of(out("t.log", "t", 0, 0)));
        rotateNow.set(true);
        Out second = out("t.log", "t", 0, 1, 2);

        files.write(List.of(out("a.log", "a", 0, 0), second));

        long both = (entry("t", 0, 0) + second.text()).getBytes(StandardCharsets.UTF_8).length;
        assertThat(synced).as("the file synced holds what was appended, not the new empty one").containsEntry("t.log", both);
        assertThat(Files.readString(dir.resolve("t.log-20261204"))).isEqualTo(entry("t", 0, 0) + second.text());
        assertThat(positions.highest("t", 0)).isEqualTo(2);

        // the next batch follows the new file, and a restart writes nothing twice
        files.write(List.of(out("t.log", "t", 0, 3)));
        positions.close();
        WrittenPositions again = WrittenPositions.open(dir, true);
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 3));
        assertThat(again.highest("t", 0)).isEqualTo(3);
    }

    /** A file's name is durable once its folder is synced: every time it is created, also again under a name seen before. */
    @Test
    void shouldSyncTheFolderEachTimeAFileIsCreated() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        List<Path> folderSyncs = new ArrayList<>();
        OutputFiles files = new OutputFiles(positions, true, 0) {
            @Override
            protected void syncFolder(Path folder) throws java.io.SyncFailedException {
                folderSyncs.add(folder);
                super.syncFolder(folder);
            }
        };
        files.write(List.of(out("t.log", "t", 0, 0)));
        assertThat(folderSyncs).as("t.log created").hasSize(1);
        files.write(List.of(out("t.log", "t", 0, 1)));
        assertThat(folderSyncs).as("appended to: no folder sync").hasSize(1);

        Files.move(dir.resolve("t.log"), dir.resolve("t.log-old")); // logrotate without create: the app creates it again
        files.write(List.of(out("t.log", "t", 0, 2)));

        assertThat(folderSyncs).as("t.log created again").hasSize(2);
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo(entry("t", 0, 2));
    }

    @Test
    void shouldJournalABatchsDeadLettersUntilTheyAreSentAcrossRestartsAndCompaction() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        PositionsJournal.Position bad = new PositionsJournal.Position("t", 0, 1);
        files.write(List.of(out("dead-letter.log", "t", 0, 1)), java.util.Map.of(bad, "JsonParseException: x"));
        positions.close();

        WrittenPositions restarted = WrittenPositions.open(dir, true);
        assertThat(restarted.owedDeadLetter("t", 0, 1)).as("owed after a crash before its send").isEqualTo("JsonParseException: x");
        assertThat(restarted.owedDeadLetter("t", 0, 0)).isNull();
        new OutputFiles(restarted, true, 0).deadLettersSent(List.of(bad));
        assertThat(restarted.owedDeadLetter("t", 0, 1)).isNull();
        restarted.close();

        WrittenPositions third = WrittenPositions.open(dir, true);
        assertThat(third.owedDeadLetter("t", 0, 1)).as("sent: never sent again").isNull();
        assertThat(third.highest("t", 0)).isEqualTo(1);
    }

    @Test
    void shouldJournalBatchesOfSeveralThreadsInTheOrderTheyWereAppended() throws Exception {
        WrittenPositions positions = WrittenPositions.open(dir, true);
        OutputFiles files = new OutputFiles(positions, true, 0);
        int threads = 3;
        int batches = 60;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int partition = t;
            done.add(pool.submit(() -> {
                for (int b = 0; b < batches; b++) {
                    files.write(List.of(out("t.log", "t", partition, 2L * b, 2L * b + 1)));
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        positions.close();

        WrittenPositions again = WrittenPositions.open(dir, true);
        String text = Files.readString(dir.resolve("t.log"));
        assertThat(again.length("t.log")).isEqualTo(text.length());
        for (int t = 0; t < threads; t++) {
            assertThat(again.highest("t", t)).isEqualTo(2L * batches - 1);
        }
        assertThat(OutputFormat.entries(text)).hasSize(threads * batches * 2)
                .extracting(e -> e.partition() + "@" + e.offset()).doesNotHaveDuplicates();
        assertThat(files.syncCount()).as("one sync per batch at most: threads share them").isLessThanOrEqualTo(threads * batches);
    }
}
