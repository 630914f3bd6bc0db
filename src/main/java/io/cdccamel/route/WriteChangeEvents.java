package io.cdccamel.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write step ({@value #WRITE}): takes the read step's {@link ChangeEventBatch} and what the
 * route's steps left as the body: the read step's list untouched is printed as read (the fast way,
 * the text printed from the records' bytes); anything else is a JSON array of change events
 * ({@link StepOutput}) whose elements are written instead, each by the position in its {@value #KAFKA}
 * field, and the batch's events no element carries are counted as filtered. Every consumed record
 * is still journaled and committed. It prints ({@link PrintChangeEvents}), appends each
 * file's text once, syncs the files, journals their positions and the batch's dead letters, sends
 * the dead letters on ({@link DeadLetters}), journals them sent and commits the offsets
 * ({@link DurableCommits}), and leaves the printed text as the body for the route's log step (null
 * when the batch printed nothing). The order is the guarantee: an offset is committed only for text
 * on disk and for dead letters sent on, and a dead letter is sent once its batch is journaled, so a
 * retried batch does not send it again.
 */
public class WriteChangeEvents implements Processor {

    public static final String WRITE = "direct:write-change-events";
    /** Exchange property: {@code go} (the Go tutorial's format, the default) or {@code json-lines} (one change event per line). */
    public static final String FORMAT = "CdcOutputFormat";
    /** Exchange property: the output file's name, a template with {@code {topic}}, {@code {schema}}, {@code {table}}, {@code {date}}. */
    public static final String FILE_NAME = "CdcOutputFileName";
    /** The field of each change event in the body that holds its record's position. */
    public static final String KAFKA = "kafka";

    /** The dead-letter lines on the console, as {@code dead-letter.log} has them. */
    private static final Logger LOG = LoggerFactory.getLogger(WriteChangeEvents.class);
    private static final Logger DEAD_LETTER_LOG = LoggerFactory.getLogger("io.cdccamel.dead-letter");

    private final DeadLetters deadLetters;
    private final DurableCommits commits;
    private final ObjectMapper mapper;

    /** @param mapper reads and writes the steps' JSON ({@link io.cdccamel.events.ExactJson}'s: numbers kept exact) */
    public WriteChangeEvents(DeadLetters deadLetters, DurableCommits commits, ObjectMapper mapper) {
        this.deadLetters = deadLetters;
        this.commits = commits;
        this.mapper = mapper;
    }

    @Override
    public void process(Exchange exchange) {
        ChangeEventBatch batch = ChangeEventBatch.of(exchange);
        PrintedBatch printed = PrintChangeEvents.print(batch, StepOutput.of(exchange, batch, mapper));
        // from here a failure is the output's (disk, journal, dead-letter topic), not the steps': never dead-lettered for it
        exchange.setProperty(StepFailures.WRITING, true);
        batch.printed(printed);
        commits.commit(exchange, printed, deadLetters::send);
        if (printed.filtered() > 0) {
            LOG.debug("{} change event(s) of {} record(s) left out by the route's steps: journaled and committed, not written",
                    printed.filtered(), printed.records());
        }
        String deadLetterLines = printed.deadLetterLines();
        if (deadLetterLines != null) {
            DEAD_LETTER_LOG.warn("{}", deadLetterLines);
        }
        exchange.getMessage().setBody(printed.printed());
    }
}
