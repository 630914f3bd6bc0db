package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConverter;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.TypeConverterSupport;

/**
 * The two steps of route {@code print-change-events} that are not to be edited, each a
 * {@code direct:} route of one processor: {@value ReadChangeEvents#READ} turns a poll's records into a
 * {@link ChangeEventBatch}, {@value WriteChangeEvents#WRITE} prints, appends, syncs, journals and
 * commits it. The YAML route calls them in that order, with its own steps between.
 */
public class PrintRouteSteps extends RouteBuilder {

    private final ReadChangeEvents read;
    private final WriteChangeEvents write;
    private final ObjectMapper exactJson;

    public PrintRouteSteps(ReadChangeEvents read, WriteChangeEvents write, ObjectMapper exactJson) {
        this.read = read;
        this.write = write;
        this.exactJson = exactJson;
    }

    @Override
    public void configure() {
        // the read step's list as a JSON array of change events, when a step asks for one (a bean's ArrayNode parameter...)
        TypeConverter toEnvelopes = new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                return type.cast(((ChangeEventBatch.Records) value).envelopes(exactJson.getNodeFactory()));
            }
        };
        for (Class<?> type : new Class<?>[] {ArrayNode.class, ContainerNode.class, JsonNode.class}) {
            getContext().getTypeConverterRegistry().addTypeConverter(type, ChangeEventBatch.Records.class, toEnvelopes);
        }
        from(ReadChangeEvents.READ).routeId("read-change-events").process(read);
        from(WriteChangeEvents.WRITE).routeId("write-change-events").process(write);
    }
}
