package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Records that cannot be printed. Each gets a line in {@code <cdc.output.dir>/dead-letter.log}
 * (where it was, why, the first bytes of its value) and is sent, unchanged, to
 * {@code cdc.dead-letter.endpoint} (the Kafka topic {@code cdc.dead-letter.topic}) with the reason
 * and its position in headers. As a processor (bean {@code deadLetters}), it turns a
 * {@link PrintedBatch.DeadLetter} into that Kafka record.
 */
public class DeadLetters implements Processor {

    /** Kafka headers of a record in the dead-letter topic: why, and where it came from. */
    public static final String REASON = "cdc.dead-letter.reason";
    public static final String SOURCE_TOPIC = "cdc.source.topic";
    public static final String SOURCE_PARTITION = "cdc.source.partition";
    public static final String SOURCE_OFFSET = "cdc.source.offset";
    static final int PREVIEW_BYTES = 512;

    /** The body, a {@link PrintedBatch.DeadLetter}, becomes the record as it arrived, with the reason in headers. */
    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        PrintedBatch.DeadLetter deadLetter = message.getBody(PrintedBatch.DeadLetter.class);
        Map<String, Object> headers = new HashMap<>();
        if (deadLetter.key() != null) {
            headers.put(KafkaConstants.KEY, deadLetter.key());
        }
        headers.put(REASON, deadLetter.reason());
        headers.put(SOURCE_TOPIC, deadLetter.topic());
        headers.put(SOURCE_PARTITION, Integer.toString(deadLetter.partition()));
        headers.put(SOURCE_OFFSET, Long.toString(deadLetter.offset()));
        message.setHeaders(headers);
        message.setBody(deadLetter.value());
    }

    /** Why a record is a dead letter: the exception's type and the first line of its message. */
    static String reason(Exception cause) {
        String message = cause.getMessage();
        if (message == null) {
            message = "";
        }
        int nl = message.indexOf('\n');
        return cause.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
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
            return io.cdccamel.events.GoJsonWriter.quote(text) + suffix;
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(Arrays.copyOf(value, n)) + suffix;
        }
    }
}
