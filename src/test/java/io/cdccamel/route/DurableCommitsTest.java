package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurableCommitsTest {

    @TempDir
    Path dir;

    private final List<String> committed = new CopyOnWriteArrayList<>();
    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    /** A batch whose only output was appended to {@code written}, with one record of {@code partition}. */
    private PrintedBatch written(Path written, int partition, long offset) {
        PrintedBatch batch = new PrintedBatch();
        batch.done("t", partition, () -> committed.add(partition + "@" + offset));
        batch.entry("t.log", "t", partition, offset, false).append("entry\n");
        batch.getOutputs().get(0).produced(written.toString());
        return batch;
    }

    /** The output file, as the route's file producer left it. */
    private Path written(String text) throws java.io.IOException {
        return Files.writeString(dir.resolve("t.log"), text);
    }

    @Test
    void shouldCommitNothingMoreOnceASyncFails() throws Exception {
        DurableCommits commits = new DurableCommits(true);
        Path file = written("entry\n");
        commits.commit(exchange, written(file, 0, 3));
        assertThat(committed).containsExactly("0@3");
        // the file cannot be synced (here: it is gone): nothing of this batch may be committed
        Files.delete(file);

        assertThatThrownBy(() -> commits.commit(exchange, written(file, 1, 9)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("offsets are not committed");
        assertThat(commits.failure()).contains("Could not sync");

        // not even after the file is back: a failed fsync is not retried, the app must restart
        written("entry\nentry\n");
        commits.commit(exchange, written(file, 1, 10));

        assertThat(committed).containsExactly("0@3");
        assertThat(commits.syncCount()).isEqualTo(1);
    }

    @Test
    void shouldCommitWithoutSyncingWhenSyncIsOff() throws Exception {
        DurableCommits commits = new DurableCommits(false);
        Path file = written("entry\n");

        commits.commit(exchange, written(file, 2, 1));

        assertThat(committed).containsExactly("2@1");
        assertThat(commits.syncCount()).isZero();
    }
}
