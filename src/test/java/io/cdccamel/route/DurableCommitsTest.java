package io.cdccamel.route;

import io.cdccamel.store.OutputFiles;
import io.cdccamel.store.WrittenPositions;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.SyncFailedException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurableCommitsTest {

    @TempDir
    Path dir;

    private final List<String> committed = new CopyOnWriteArrayList<>();
    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    /** A printed batch with one record of {@code partition}. */
    private PrintedBatch batch(int partition, long offset) {
        PrintedBatch batch = new PrintedBatch(0);
        batch.done("t", partition, offset, () -> committed.add(partition + "@" + offset));
        batch.entry("t.log", "t", partition, offset, false).append("entry " + offset + "\n");
        return batch;
    }

    @Test
    void shouldCommitNothingMoreOnceASyncFails() throws Exception {
        AtomicBoolean diskFails = new AtomicBoolean();
        OutputFiles files = new OutputFiles(WrittenPositions.open(dir, true), true, 0) {
            @Override
            protected void force(Path file, java.nio.channels.FileChannel channel) throws SyncFailedException {
                if (diskFails.get()) {
                    throw new SyncFailedException("Could not sync " + file + " (EIO)");
                }
                super.force(file, channel);
            }
        };
        DurableCommits commits = new DurableCommits(files);
        commits.commit(exchange, batch(0, 3));
        assertThat(committed).containsExactly("0@3");

        diskFails.set(true);
        assertThatThrownBy(() -> commits.commit(exchange, batch(1, 9)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("offsets are not committed");
        assertThat(commits.failure()).contains("Could not sync");

        // not even after the disk is back: a failed fsync is not retried, the app must restart
        diskFails.set(false);
        commits.commit(exchange, batch(1, 10));

        assertThat(committed).containsExactly("0@3");
        assertThat(commits.syncCount()).isEqualTo(1);
        // restarted: the text of the batch whose sync failed was never journaled, so it is cut off
        WrittenPositions restarted = WrittenPositions.open(dir, true);
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo("entry 3\n");
        assertThat(restarted.isNew("t", 1, 9)).isTrue();
    }

    /** Issue 31: a failed folder sync was a DEBUG line, and the commit went ahead. */
    @Test
    void shouldCommitNothingWhenTheFolderOfANewFileCannotBeSynced() throws Exception {
        OutputFiles files = new OutputFiles(WrittenPositions.open(dir, true), true, 0) {
            @Override
            protected void syncFolder(Path folder) throws SyncFailedException {
                throw new SyncFailedException("Could not sync the folder " + folder + " (EIO)");
            }
        };
        DurableCommits commits = new DurableCommits(files);

        assertThatThrownBy(() -> commits.commit(exchange, batch(0, 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("offsets are not committed");

        assertThat(committed).isEmpty();
        assertThat(commits.failure()).contains("Could not sync the folder");
        WrittenPositions restarted = WrittenPositions.open(dir, true);
        assertThat(restarted.isNew("t", 0, 1)).as("not journaled: written again after a restart").isTrue();
    }

    @Test
    void shouldCommitNothingOfABatchThatCouldNotBeAppended() throws Exception {
        DurableCommits commits = new DurableCommits(new OutputFiles(WrittenPositions.open(dir, true), true, 0));
        Files.createDirectory(dir.resolve("t.log"));

        assertThatThrownBy(() -> commits.commit(exchange, batch(0, 1))).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(committed).isEmpty();
        assertThat(commits.failure()).as("an append that failed is retried, unlike a sync").isNull();

        Files.delete(dir.resolve("t.log"));
        commits.commit(exchange, batch(0, 1));
        assertThat(committed).containsExactly("0@1");
        assertThat(Files.readString(dir.resolve("t.log"))).isEqualTo("entry 1\n");
    }

    @Test
    void shouldCommitWithoutSyncingWhenSyncIsOff() throws Exception {
        DurableCommits commits = new DurableCommits(new OutputFiles(WrittenPositions.open(dir, false), false, 0));

        commits.commit(exchange, batch(2, 1));

        assertThat(committed).containsExactly("2@1");
        assertThat(commits.syncCount()).isZero();
    }
}
