package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
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
    private final DefaultCamelContext camel = new DefaultCamelContext();

    private Exchange finished(Path written, int partition, long offset, boolean lastOfPoll) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.FILE_NAME_PRODUCED, written.toString());
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, "t");
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        exchange.getMessage().setHeader(KafkaConstants.LAST_POLL_RECORD, lastOfPoll);
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) () -> committed.add(partition + "@" + offset));
        return exchange;
    }

    /** The output file, as the route's file producer left it. */
    private Path written(String text) throws java.io.IOException {
        return Files.writeString(dir.resolve("t.log"), text);
    }

    @Test
    void shouldCommitNothingMoreOnceASyncFails() throws Exception {
        DurableCommits commits = new DurableCommits(true);
        Path file = written("entry\n");
        commits.done(finished(file, 0, 3, true));
        assertThat(committed).containsExactly("0@3");
        commits.done(finished(file, 0, 4, false));
        // the file cannot be synced (here: it is gone): nothing of this poll may be committed
        Files.delete(file);

        assertThatThrownBy(() -> commits.done(finished(file, 1, 9, true)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("offsets are not committed");
        assertThat(commits.failure()).contains("Could not sync");

        // not even after the file is back: a failed fsync is not retried, the app must restart
        written("entry\nentry\n");
        commits.done(finished(file, 1, 10, true));

        assertThat(committed).containsExactly("0@3");
        assertThat(commits.syncCount()).isEqualTo(1);
    }

    @Test
    void shouldCommitWithoutSyncingWhenSyncIsOff() throws Exception {
        DurableCommits commits = new DurableCommits(false);
        Path file = written("entry\n");

        commits.done(finished(file, 2, 1, true));

        assertThat(committed).containsExactly("2@1");
        assertThat(commits.syncCount()).isZero();
    }
}
