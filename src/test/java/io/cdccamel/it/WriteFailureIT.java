package io.cdccamel.it;

import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.it.OutputEntries.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A record whose text cannot be written is not skipped: the consumer retries it until the file
 * can be written again, then prints it and everything after it.
 */
@ExtendWith(EmbeddedStackExtension.class)
class WriteFailureIT {

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    @Test
    void shouldRetryARecordItCouldNotWriteInsteadOfSkippingIt() throws Exception {
        Db.createProductTable("it_write", "(1, 'written')");
        TestApp app = apps.start("it_write", "write_connector", "write");
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);
        await().atMost(Duration.ofSeconds(90)).until(() -> OutputEntries.read(app.outputFile()).size() == 1);
        // and synced: the file is moved below only once its first entry's offset may be committed
        await().atMost(Duration.ofSeconds(30)).until(() -> app.metric("cdc_output_syncs_total") >= 1);

        // the output file's place is taken by a directory: every append fails
        Path file = app.outputFile();
        Path aside = file.resolveSibling("aside.log");
        Files.move(file, aside);
        Files.createDirectory(file);
        NotifyBuilder failedTwice = new NotifyBuilder(app.camel()).fromRoute("print-change-events").whenFailed(2).create();
        Db.exec("INSERT INTO it_write.product VALUES (2, 'could not be written at first')",
                "INSERT INTO it_write.product VALUES (3, 'after it')");
        assertThat(failedTwice.matches(60, TimeUnit.SECONDS)).as("the write failed and was tried again").isTrue();

        // the disk is back
        Files.delete(file);
        Files.move(aside, file);
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.read(file).stream()
                .map(e -> e.json().path("after").path("id").asInt()).collect(Collectors.toSet()).containsAll(Set.of(2, 3)));

        // nothing skipped, nothing twice: the consumer resumed from its last committed offset, and
        // the records it read again were already in the file
        List<Entry> entries = OutputEntries.read(file);
        assertThat(entries).extracting(e -> e.json().path("after").path("id").asInt()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(Files.exists(app.outputDir.resolve("dead-letter.log"))).as("a write failure is no dead letter").isFalse();
    }
}
