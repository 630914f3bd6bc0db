package io.cdccamel.route;

import com.fasterxml.jackson.core.JacksonException;
import io.cdccamel.events.ChangeEventFormatter;
import io.cdccamel.events.InvalidChangeEventException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.component.kafka.KafkaConstants;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one error policy of the consumer routes (they opt in with {@code routeConfigurationId}):
 * a record that cannot be printed goes, with its position and the reason, to
 * {@code <cdc.output.dir>/dead-letter.log}, the log, and, unchanged, to the Kafka topic
 * {@code cdc.dead-letter.topic}; the route goes on with the next record. It also commits each
 * record's offset once the record is done with.
 */
public class DeadLetterPolicy extends RouteConfigurationBuilder {

    public static final String ID = "dead-letter-policy";
    public static final String DEAD_LETTER_FILE = "dead-letter.log";
    /** The {@link DurableCommits} bean the policy hands finished records to. */
    public static final String DURABLE_COMMITS = "durableCommits";
    /** Kafka headers of a record in the dead-letter topic: why, and where it came from. */
    public static final String REASON = "cdc.dead-letter.reason";
    public static final String SOURCE_TOPIC = "cdc.source.topic";
    public static final String SOURCE_PARTITION = "cdc.source.partition";
    public static final String SOURCE_OFFSET = "cdc.source.offset";
    private static final String RAW_VALUE = "cdcDeadLetterValue";
    static final int PREVIEW_BYTES = 512;

    private final ChangeEventFormatter formatter;

    public DeadLetterPolicy(ChangeEventFormatter formatter) {
        this.formatter = formatter;
    }

    @Override
    public void configuration() {
        RouteConfigurationDefinition policy = routeConfiguration(ID);
        // the offset is committed when the record is done with (printed, dead-lettered or found
        // already written) and its text synced to disk, never before, and not when its exchange failed
        policy.onCompletion().onCompleteOnly().bean(DURABLE_COMMITS, "done");
        policy.onException(JacksonException.class, InvalidChangeEventException.class)
                    .handled(true)
                    // the record as it arrived: its bytes and its CamelKafka* position headers
                    .useOriginalMessage()
                    .process(this::toDeadLetterLine)
                    .to("file:{{cdc.output.dir}}?fileName=" + DEAD_LETTER_FILE + "&fileExist=Append")
                    .bean("writtenPositions", "written")
                    .to("log:io.cdccamel.dead-letter?level=WARN&plain=true")
                    // and the record itself, unchanged, with the reason in its headers
                    .setBody(exchangeProperty(RAW_VALUE))
                    .to("{{cdc.dead-letter.endpoint}}");
    }

    private void toDeadLetterLine(Exchange exchange) {
        Message in = exchange.getMessage();
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
        String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
        int partition = in.getHeader(KafkaConstants.PARTITION, 0, Integer.class);
        long offset = in.getHeader(KafkaConstants.OFFSET, -1L, Long.class);
        exchange.setProperty(RAW_VALUE, in.getBody());
        in.setHeader(REASON, reason);
        in.setHeader(SOURCE_TOPIC, topic);
        in.setHeader(SOURCE_PARTITION, Integer.toString(partition));
        in.setHeader(SOURCE_OFFSET, Long.toString(offset));
        in.setBody(formatter.formatDeadLetter(topic, partition, offset, reason, preview(in.getBody(byte[].class))));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The value's first bytes: as quoted text when they are UTF-8, else as base64. */
    static String preview(byte[] value) {
        if (value == null) {
            return "null";
        }
        int n = Math.min(value.length, PREVIEW_BYTES);
        String suffix = value.length > n ? " (" + value.length + " bytes, first " + n + " shown)" : "";
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value, 0, n)).toString();
            return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                    + "\"" + suffix;
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(value, n)) + suffix;
        }
    }
}
