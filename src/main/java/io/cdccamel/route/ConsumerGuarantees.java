package io.cdccamel.route;

import io.cdccamel.base.StackStartException;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.PollOnError;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.URISupport;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URISyntaxException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Kafka options that the output's guarantees need, checked on the consumer of every route that
 * sends to the write step ({@value WriteChangeEvents#WRITE}), whatever its id and topics, when the
 * route is added (at start, and when its file reloads). They are set where a user sees them, in the
 * route's {@code from} ({@code routes/print-change-events.camel.yaml}); one that is missing or changed
 * stops the start (or the reload) with one line naming it, the value it needs and why. Nothing here
 * sets an option: what the route says is what runs.
 */
public class ConsumerGuarantees extends LifecycleStrategySupport {

    /**
     * An option of camel-kafka's endpoint, as the route's {@code from} names it, and why it must stay;
     * {@code value} {@value #ABSENT}: the option must not be set at all.
     */
    record Required(String option, String value, Predicate<KafkaEndpoint> holds, String why) {
        boolean mustBeAbsent() {
            return ABSENT.equals(value);
        }
    }

    /** The value of a {@link Required} option that must not be set. */
    static final String ABSENT = "absent";

    /** The route's {@code pollOnError}: see {@link #REQUIRED}. */
    static final PollOnError POLL_ON_ERROR = PollOnError.RECONNECT;

    static final List<Required> REQUIRED = List.of(
            new Required("batching", "true", e -> e.getConfiguration().isBatching(),
                    "the read and write steps take a poll's records at once (one append, one sync, one commit per batch)"),
            new Required("autoCommitEnable", "false", e -> !e.getConfiguration().isAutoCommitEnable(),
                    "offsets are committed only after the file is synced (exactly-once into the files)"),
            new Required("allowManualCommit", "true", e -> e.getConfiguration().isAllowManualCommit(),
                    "the write step commits each batch's offsets itself, once its text is synced and journaled"),
            new Required("kafkaManualCommitFactory", "#class:" + DefaultKafkaManualCommitFactory.class.getName(),
                    e -> e.getKafkaManualCommitFactory() != null
                            && e.getKafkaManualCommitFactory().getClass() == DefaultKafkaManualCommitFactory.class,
                    "each batch's offsets are committed synchronously (camel-kafka 4.18 never sends an asynchronous "
                            + "manual commit of a batch: its batching processor does not flush them)"),
            new Required("breakOnFirstError", "true", e -> e.getConfiguration().isBreakOnFirstError(),
                    "a batch that could not be written is fetched again, never skipped"),
            new Required("pollOnError", POLL_ON_ERROR.name(),
                    e -> e.getConfiguration().getPollOnError() == POLL_ON_ERROR && e.getComponent().getPollExceptionStrategy() == null,
                    "a poll that throws is polled again from the same positions (camel-kafka's default, ERROR_HANDLER, "
                            + "seeks every assigned partition one record on: that record is never printed; the kafka "
                            + "component's pollExceptionStrategy, which would replace it, must not be set either)"),
            new Required("seekTo", ABSENT,
                    e -> e.getConfiguration().getSeekTo() == null && e.getComponent().getConfiguration().getSeekTo() == null,
                    "the consumer reads on from the group's committed offsets (seekTo=END skips every record not yet "
                            + "printed, BEGINNING prints everything again, at each partition assignment)"),
            new Required("isolationLevel", "read_committed", e -> "read_committed".equals(e.getConfiguration().getIsolationLevel()),
                    "only records of Connect's committed transactions are printed (exactly-once source)"),
            new Required("autoOffsetReset", "earliest", e -> "earliest".equals(e.getConfiguration().getAutoOffsetReset()),
                    "a new consumer group starts at the first record, not after records never printed"),
            new Required("valueDeserializer", ByteArrayDeserializer.class.getName(),
                    e -> ByteArrayDeserializer.class.getName().equals(e.getConfiguration().getValueDeserializer()),
                    "values are read as bytes, so that one that is not UTF-8 reaches the dead letters intact"),
            new Required("headerFilterStrategy", "#class:" + DropRecordHeaders.class.getName(),
                    e -> e.getConfiguration().getHeaderFilterStrategy() instanceof DropRecordHeaders,
                    "no Kafka record header becomes a Camel header, so a record cannot steer the route"));

    @Override
    public void onRoutesAdd(Collection<Route> routes) {
        for (Route route : routes) {
            if (route.getEndpoint() instanceof KafkaEndpoint kafka && writesChangeEvents(route)) {
                check(kafka, where(route));
            }
        }
    }

    /**
     * Throws, naming the first option the consumer lacks. An option counts as the endpoint has it
     * (the component's default applies to one the route leaves out) and as the route writes it: Camel
     * ignores {@code autoCommitEnable} in batching mode, but a file saying {@code true} would not say
     * what runs.
     */
    static void check(KafkaEndpoint consumer, String where) {
        Map<String, Object> written;
        try {
            written = URISupport.parseQuery(URISupport.extractQuery(consumer.getEndpointUri()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (Required r : REQUIRED) {
            Object value = written.get(r.option());
            boolean asWritten = value == null
                    || (!r.mustBeAbsent() && (r.value().startsWith("#") || r.value().equalsIgnoreCase(value.toString())));
            if (!asWritten || !r.holds().test(consumer)) {
                throw new StackStartException(where + ": kafka option " + r.option()
                        + (r.mustBeAbsent() ? " must not be set" : " must be " + r.value()) + ": " + r.why());
            }
        }
    }

    /** The route sends its records to the write step: the print route, by whatever id. */
    static boolean writesChangeEvents(Route route) {
        if (!(route.getRoute() instanceof RouteDefinition definition)) {
            return false;
        }
        return ProcessorDefinitionHelper.filterTypeInOutputs(definition.getOutputs(), ToDefinition.class).stream()
                .map(ToDefinition::getEndpointUri)
                .anyMatch(uri -> uri != null && (uri.equals(WriteChangeEvents.WRITE) || uri.startsWith(WriteChangeEvents.WRITE + "?")));
    }

    /** The route's file, as the user knows it ({@code routes/print-change-events.camel.yaml}), or its id. */
    private static String where(Route route) {
        Resource source = route.getSourceResource();
        if (source == null || source.getLocation() == null) {
            return "route " + route.getRouteId();
        }
        String location = source.getLocation();
        int scheme = location.indexOf(':');
        return scheme > 1 ? location.substring(scheme + 1) : location;
    }
}
