package io.cdccamel.route;

import org.apache.camel.builder.RouteBuilder;

/**
 * The two steps of route {@code print-change-events} that are not to be edited, each a
 * {@code direct:} route of one processor: {@value ReadChangeEvents#READ} turns a poll's records into a
 * {@link ChangeEventBatch}, {@value WriteChangeEvents#WRITE} prints, appends, syncs, journals and
 * commits it. The YAML route calls them in that order, with its own steps between.
 */
public class PrintRouteSteps extends RouteBuilder {

    private final ReadChangeEvents read;
    private final WriteChangeEvents write;

    public PrintRouteSteps(ReadChangeEvents read, WriteChangeEvents write) {
        this.read = read;
        this.write = write;
    }

    @Override
    public void configure() {
        from(ReadChangeEvents.READ).routeId("read-change-events").process(read);
        from(WriteChangeEvents.WRITE).routeId("write-change-events").process(write);
    }
}
