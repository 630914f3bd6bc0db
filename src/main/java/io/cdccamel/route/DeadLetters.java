package io.cdccamel.route;

import io.cdccamel.events.DeadLetterHeaders;
import io.cdccamel.events.GoJsonWriter;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.kafka.KafkaConstants;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Records that cannot be printed. Each gets a line in {@code <cdc.output.dir>/dead-letter.log}
 * (where it was, why, the first bytes of its value: written with the batch's other text) and is
 * sent here, unchanged, to {@code cdc.dead-letter.endpoint} (the Kafka topic
 * {@code cdc.dead-letter.topic}) with the reason and its position in headers.
 */
public class DeadLetters {

    static final int PREVIEW_BYTES = 512;

    private final ProducerTemplate template;
    private final String endpointUri;

    /**
     * @param endpointUri resolved at the first dead letter (Camel caches it), when the components are
     *                    configured: the Kafka component's brokers are not set yet while the routes are built
     */
    public DeadLetters(ProducerTemplate template, String endpointUri) {
        this.template = template;
        this.endpointUri = endpointUri;
    }

    /** Sends each record as it arrived, with the reason in headers; fails (and so the batch) if one is not sent. */
    void send(List<PrintedBatch.DeadLetter> deadLetters) {
        for (PrintedBatch.DeadLetter deadLetter : deadLetters) {
            Exchange sent = template.send(endpointUri, exchange -> {
                Message message = exchange.getMessage();
                if (deadLetter.key() != null) {
                    message.setHeader(KafkaConstants.KEY, deadLetter.key());
                }
                message.setHeader(DeadLetterHeaders.REASON, deadLetter.reason());
                message.setHeader(DeadLetterHeaders.SOURCE_TOPIC, deadLetter.topic());
                message.setHeader(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(deadLetter.partition()));
                message.setHeader(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(deadLetter.offset()));
                message.setBody(deadLetter.value());
            });
            if (sent.getException() != null) {
                throw RuntimeCamelException.wrapRuntimeCamelException(sent.getException());
            }
        }
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
            return GoJsonWriter.quote(text) + suffix;
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(Arrays.copyOf(value, n)) + suffix;
        }
    }
}
