package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write step ({@value #WRITE}): takes the read step's {@link ChangeEventBatch} (not the body,
 * which the route's steps may have changed), prints it ({@link PrintChangeEvents}), appends each
 * file's text once, syncs the files, journals their positions and the batch's dead letters, sends
 * the dead letters on ({@link DeadLetters}), journals them sent and commits the offsets
 * ({@link DurableCommits}), and leaves the printed text as the body for the route's log step (null
 * when the batch printed nothing). The order is the guarantee: an offset is committed only for text
 * on disk and for dead letters sent on, and a dead letter is sent once its batch is journaled, so a
 * retried batch does not send it again.
 */
public class WriteChangeEvents implements Processor {

    public static final String WRITE = "direct:write-change-events";

    /** The dead-letter lines on the console, as {@code dead-letter.log} has them. */
    private static final Logger DEAD_LETTER_LOG = LoggerFactory.getLogger("io.cdccamel.dead-letter");

    private final DeadLetters deadLetters;
    private final DurableCommits commits;

    public WriteChangeEvents(DeadLetters deadLetters, DurableCommits commits) {
        this.deadLetters = deadLetters;
        this.commits = commits;
    }

    @Override
    public void process(Exchange exchange) {
        ChangeEventBatch batch = ChangeEventBatch.of(exchange);
        PrintedBatch printed = PrintChangeEvents.print(batch);
        batch.printed(printed);
        commits.commit(exchange, printed, deadLetters::send);
        String deadLetterLines = printed.deadLetterLines();
        if (deadLetterLines != null) {
            DEAD_LETTER_LOG.warn("{}", deadLetterLines);
        }
        exchange.getMessage().setBody(printed.printed());
    }
}
