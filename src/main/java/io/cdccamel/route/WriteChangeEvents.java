package io.cdccamel.route;

import org.apache.camel.builder.RouteBuilder;

/**
 * The two steps of route {@code print-change-events} that are not to be edited, as {@code direct:}
 * routes: {@value #READ} turns a poll's records into a {@link ChangeEventBatch}; {@value #WRITE} prints
 * it, sends the dead letters on, appends each file's text once, syncs the files, journals their
 * positions ({@link io.cdccamel.events.OutputFiles}), commits the offsets ({@link DurableCommits}), and leaves the printed text as the body for
 * the route's log step. Their order is the guarantee: an offset is committed only for text on disk.
 */
public class WriteChangeEvents extends RouteBuilder {

    public static final String READ = "direct:read-change-events";
    public static final String WRITE = "direct:write-change-events";
    /** Exchange variable of the write step: the printed batch. */
    public static final String PRINTED = "printed";

    private final ReadChangeEvents reader;
    private final PrintChangeEvents printer;
    private final DeadLetters deadLetters;
    private final DurableCommits commits;

    public WriteChangeEvents(ReadChangeEvents reader, PrintChangeEvents printer, DeadLetters deadLetters,
                             DurableCommits commits) {
        this.reader = reader;
        this.printer = printer;
        this.deadLetters = deadLetters;
        this.commits = commits;
    }

    @Override
    public void configure() {
        from(READ).routeId("read-change-events")
            .process(reader);

        from(WRITE).routeId("write-change-events")
            .bean(printer, "print")
            // records that cannot be printed: unchanged to {{cdc.dead-letter.endpoint}}, reason in headers
            .split(simple("${variable." + PRINTED + ".deadLetters}")).synchronous()
                .process(deadLetters)
                .to("{{cdc.dead-letter.endpoint}}")
            .end()
            // append each file's text (rolled back if it fails), sync, journal the positions, commit
            .bean(commits, "commit")
            .bean(printer, "written")
            .setBody(simple("${variable." + PRINTED + ".deadLetterLines}"))
            .filter(body().isNotNull())
                .to("log:io.cdccamel.dead-letter?level=WARN&plain=true&maxChars=0")
            .end()
            .setBody(simple("${variable." + PRINTED + ".printed}"));
    }
}
